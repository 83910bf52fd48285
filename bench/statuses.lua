-- Counts every answer of a wrk run by status, in each wrk thread, and reports them when the run is done, so a run
-- cannot count answers it did not expect: a throughput figure is only a figure of the expected status.
-- Used with -s as it is (a GET of the url), or loaded first by a script that builds its own requests:
--   dofile("bench/statuses.lua")   -- paths are relative to the repository root, where the bench scripts run wrk
-- A script may set expected_status before the run (default 200), or expected_statuses, a set of them ({[401]=true, ...}).
-- done() prints one line the bench scripts read:
--   statuses: 200=81234 429=17 | expected 200: 81234 | unexpected: 17 | socket errors: 0 | VALID|INVALID
-- A run is INVALID when any answer had another status, when any socket error (connect, read, write, timeout)
-- happened, or when wrk completed requests that no response() call counted.
-- The count has a price: with response() defined wrk hands every body to Lua, measured at about 5 us of wrk's CPU per
-- 40 KB quote answer and nothing measurable per health answer. The load generator shares the cores with the service,
-- so a quote/baseline ratio errs a little low, never high.
expected_status = expected_status or 200
expected_statuses = expected_statuses or { [expected_status] = true }

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- One table per wrk thread (each thread runs the script in a Lua state of its own); done() gathers them.
statuses = {}

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts, total = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
      total = total + n
    end
  end

  local keys = {}
  for status in pairs(counts) do table.insert(keys, status) end
  table.sort(keys)
  local parts = {}
  for _, status in ipairs(keys) do table.insert(parts, status .. "=" .. counts[status]) end

  local expected, wanted = 0, {}
  for status, n in pairs(counts) do
    if expected_statuses[status] then expected = expected + n end
  end
  for status in pairs(expected_statuses) do table.insert(wanted, status) end
  table.sort(wanted)
  local unexpected = total - expected
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  local uncounted = summary.requests - total
  local valid = unexpected == 0 and socket == 0 and uncounted == 0 and expected > 0
  io.write(string.format("statuses: %s | expected %s: %d | unexpected: %d | socket errors: %d (connect %d, read %d, write %d, timeout %d) | uncounted: %d | %s\n",
    #parts > 0 and table.concat(parts, " ") or "none", table.concat(wanted, ","), expected, unexpected,
    socket, e.connect, e.read, e.write, e.timeout, uncounted, valid and "VALID" or "INVALID"))
end
