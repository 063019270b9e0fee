-- wrk script: reads cases by number (GET /api/v1/cases/{case_no}).
--
-- Environment:
--   TOUSU_TOKEN  bearer token of a user who may see the cases (the demo admin)
--   TOUSU_CASES  a file with one existing case number per line
--
-- Each wrk thread walks the list from its own starting point. At the end prints the usual
-- wrk report plus one machine-readable line:
--   BENCH {"requests":N,"status_200":N,"other_status":{...},"errors":{...},"rps":R,
--          "p50_ms":..,"p90_ms":..,"p99_ms":..,"max_ms":..}

local token = os.getenv("TOUSU_TOKEN")
if not token or token == "" then
  error("read.lua: set TOUSU_TOKEN to a bearer token")
end
local path = os.getenv("TOUSU_CASES")
if not path or path == "" then
  error("read.lua: set TOUSU_CASES to a file of case numbers")
end
local cases = {}
for line in io.lines(path) do
  if line:match("^%u+%d+$") then
    cases[#cases + 1] = line
  end
end
if #cases == 0 then
  error("read.lua: no case numbers in " .. path)
end

local headers = { ["Authorization"] = "Bearer " .. token }

local threads = {}
status_200 = 0
other = {}
local i = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  i = ((tid or 1) - 1) * math.floor(#cases / 2)
end

function request()
  i = i % #cases + 1
  return wrk.format("GET", "/api/v1/cases/" .. cases[i], headers)
end

function response(status, headers, body)
  if status == 200 then
    status_200 = status_200 + 1
  else
    local k = tostring(status)
    other[k] = (other[k] or 0) + 1
    if other[k] == 1 then
      io.stderr:write("read.lua: first " .. k .. ": " .. string.sub(body or "", 1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local n200, agg = 0, {}
  for _, t in ipairs(threads) do
    n200 = n200 + (t:get("status_200") or 0)
    for k, v in pairs(t:get("other") or {}) do
      agg[k] = (agg[k] or 0) + v
    end
  end
  local parts = {}
  for k, v in pairs(agg) do
    parts[#parts + 1] = string.format('"%s":%d', k, v)
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    'BENCH {"requests":%d,"status_200":%d,"other_status":{%s},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, n200, table.concat(parts, ","), e.connect, e.read, e.write, e.status,
    e.timeout, secs, summary.requests / secs, latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3))
end
