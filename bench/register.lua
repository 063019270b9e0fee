-- wrk script: registers complaints (POST /api/v1/cases), one new case per request.
--
-- Environment:
--   TOUSU_TOKEN    bearer token of a user who may register (the demo admin)
--   TOUSU_OUTLETS  comma-separated ids of outlet units (GET /api/v1/org/units, kind=outlet)
--
-- Every request carries a realistic Chinese complaint (~200 characters of description)
-- with a random complainant phone, name, category and outlet, so no two bodies are equal.
-- At the end prints the usual wrk report plus one machine-readable line:
--   BENCH {"requests":N,"status_201":N,"other_status":{...},"errors":{...},"rps":R,
--          "p50_ms":..,"p90_ms":..,"p99_ms":..,"max_ms":..}
-- Anything but 201 is counted in other_status (and wrk's "Non-2xx or 3xx responses").

local token = os.getenv("TOUSU_TOKEN")
if not token or token == "" then
  error("register.lua: set TOUSU_TOKEN to a bearer token")
end
local outlets = {}
for id in string.gmatch(os.getenv("TOUSU_OUTLETS") or "", "%d+") do
  outlets[#outlets + 1] = id
end
if #outlets == 0 then
  error("register.lua: set TOUSU_OUTLETS to outlet unit ids, e.g. 20,21,22")
end

local surnames = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭" }
local given = { "建国", "丽娟", "志强", "秀英", "海燕", "晓明", "文博", "婷婷", "国庆", "春梅", "子涵", "宇航" }
-- Subjects vary as in a real month: a repeated subject (and the cross-case grading
-- rules it fires) is the exception, not every complaint.
local models = { "大众帕萨特 2024款 330TSI", "大众途观L 2023款", "大众朗逸 2024款", "大众ID.4 CROZZ",
                 "斯柯达明锐 2023款", "大众速腾 2024款", "大众途昂 2022款", "大众凌渡L" }
local categories = { "repair_quality", "product_quality", "service_attitude", "waiting_time",
                     "broken_promise", "billing", "delivery" }
local demands = { '["repair","apology","compensation"]', '["refund"]', '["exchange","apology"]',
                  '["explanation"]', '["compensation"]' }

-- ~200 Chinese characters: a customer calling about a botched service.
local description = "本人于本月初在贵店做了四万公里常规保养，更换了机油、机滤和空气滤芯。" ..
  "取车后第二天在高架上行驶时发动机故障灯亮起，车辆明显动力不足，加速时有顿挫感。" ..
  "随后我立即致电服务顾问，对方称可能是传感器误报，让我继续观察。三天后故障灯仍未熄灭，" ..
  "油耗也比平时高了很多。我再次到店检查，技师说是保养时节气门插头没有插好，导致进气异常。" ..
  "我对此非常不满，第一次保养就出现这种低级错误，耽误了我三天的工作，还来回跑了两趟。"

local headers = {
  ["Authorization"] = "Bearer " .. token,
  ["Content-Type"] = "application/json",
}

-- per-thread state (each wrk thread has its own Lua state)
local threads = {}
status_201 = 0
other = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919 + math.floor(os.clock() * 1e6))
end

local function pick(t)
  return t[math.random(#t)]
end

function request()
  local phone = "1" .. pick({ "3", "5", "8", "9" }) .. string.format("%09d", math.random(0, 999999999))
  local body = '{"channel":"phone","category":"' .. pick(categories) .. '",' ..
    '"complainant":{"name":"' .. pick(surnames) .. pick(given) .. '","phone":"' .. phone .. '"},' ..
    '"subject":{"product":"' .. pick(models) .. '","batch":"B' .. math.random(1, 200000) .. '","plate":"沪A' ..
    string.format("%05d", math.random(0, 99999)) .. '"},' ..
    '"title":"保养后发动机故障灯亮，车辆动力不足",' ..
    '"description":"' .. description .. '",' ..
    '"demands":' .. pick(demands) .. ',"claimed_cents":' .. (math.random(0, 2000) * 100) .. ',' ..
    '"outlet":' .. pick(outlets) .. '}'
  return wrk.format("POST", "/api/v1/cases", headers, body)
end

function response(status, headers, body)
  if status == 201 then
    status_201 = status_201 + 1
  else
    local k = tostring(status)
    other[k] = (other[k] or 0) + 1
    if other[k] == 1 then
      io.stderr:write("register.lua: first " .. k .. ": " .. string.sub(body or "", 1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local n201, agg = 0, {}
  for _, t in ipairs(threads) do
    n201 = n201 + (t:get("status_201") or 0)
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
    'BENCH {"requests":%d,"status_201":%d,"other_status":{%s},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, n201, table.concat(parts, ","), e.connect, e.read, e.write, e.status,
    e.timeout, secs, summary.requests / secs, latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3))
end
