-- POST /v1/schedules/quote, 360 periods, with a different principal on every request: no two requests share
-- terms, so every answer is computed and serialised afresh (the quote cache never hits).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
request = function()
  counter = counter + 1
  local principal = 10000000 + counter * 7 + math.random(0, 6)
  return wrk.format(nil, nil, nil,
    '{"principal":' .. principal .. ',"annualRate":0.049,"termMonths":360,"method":"equal_installment","startDate":"2026-01-15"}')
end
