-- POST /v1/schedules/quote for a 360-period equal-installment loan (the heaviest schedule); only 200s count.
dofile("bench/statuses.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"principal":10000000,"annualRate":0.049,"termMonths":360,"method":"equal_installment","startDate":"2026-01-15"}'
