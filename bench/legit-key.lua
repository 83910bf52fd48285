-- A legitimate channel: GET /v1/me with its real API key (first argument), from its own address through the proxy.
dofile("bench/statuses.lua")
local headers = {}

function init(args)
  headers = { ["X-Api-Key"] = args[1], ["X-Forwarded-For"] = "198.51.100.10" }
end

function request()
  return wrk.format("GET", "/v1/me", headers)
end
