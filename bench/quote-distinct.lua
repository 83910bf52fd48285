-- POST /v1/schedules/quote, 360 periods, with a different principal on every request: no two requests share
-- terms, within a run or across runs, so every answer is computed and serialised afresh (the quote cache never
-- hits). Each wrk thread has its own lane of principals and each run its own range: pass the run's number after
-- `--` (wrk ... -s bench/quote-distinct.lua URL -- 3). Only 200s count.
dofile("bench/statuses.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local count_thread = setup
local threads_set_up = 0
function setup(thread)
  count_thread(thread)
  thread:set("lane", threads_set_up)
  threads_set_up = threads_set_up + 1
end

local run = 0
function init(args)
  run = tonumber(args[1]) or 0
end

-- 64 lanes, 2^24 requests per lane and run: below ScheduleLimits.MaxPrincipal for runs 0 to 8.
local counter = 0
request = function()
  counter = counter + 1
  local principal = 10000000 + ((run * 16777216 + counter) * 64 + lane)
  return wrk.format(nil, nil, nil,
    '{"principal":' .. string.format("%d", principal) .. ',"annualRate":0.049,"termMonths":360,"method":"equal_installment","startDate":"2026-01-15"}')
end
