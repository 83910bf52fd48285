-- A flood of made-up API keys: every request presents a new well-formed key (hlk_ + 40 base-62 characters) to
-- GET /v1/me, forwarded by the trusted proxy (127.0.0.1) for one address, or for a new address each request
-- ("many"), so the per-address limit cannot help and only the service's own defences stand between it and the
-- database. Each wrk thread stops after its share of the requests. Only 401 and 429 are expected answers.
-- Arguments: total requests, threads, "one" | "many".
expected_statuses = { [401] = true, [429] = true }
dofile("bench/statuses.lua")

local alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
local share, many, answered = 0, false, 0
local counted = response

function init(args)
  share = math.floor(tonumber(args[1]) / tonumber(args[2]))
  many = args[3] == "many"
  math.randomseed(os.time() + math.floor(os.clock() * 1e6) + tostring({}):len() * 7919)
end

local function key()
  local chars = {}
  for i = 1, 40 do
    local n = math.random(1, #alphabet)
    chars[i] = alphabet:sub(n, n)
  end
  return "hlk_" .. table.concat(chars)
end

function request()
  local from = many and string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254)) or "203.0.113.66"
  return wrk.format("GET", "/v1/me", { ["X-Api-Key"] = key(), ["X-Forwarded-For"] = from })
end

function response(status, headers, body)
  counted(status, headers, body)
  answered = answered + 1
  if answered >= share then wrk.thread:stop() end
end
