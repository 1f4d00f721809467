-- POST /v1/feedback with EVENTS_PER_REQUEST unique events per request about one assignment;
-- every thread numbers its events apart. Prints acknowledged events like wrk-percentiles.lua.
local key = os.getenv("PROMPTLAB_BENCH_KEY") or ""
local assignment = os.getenv("PROMPTLAB_BENCH_ASSIGNMENT") or ""
local per = tonumber(os.getenv("EVENTS_PER_REQUEST") or "1")
-- Each thread gets its own prefix (a global set in its state by setup), so event ids never repeat.
local threads = {}
local counter = 0
prefix = "t"
setup = function(thread)
  thread:set("prefix", "t" .. #threads .. "-" .. os.time())
  table.insert(threads, thread)
end
request = function()
  local events = {}
  for i = 1, per do
    counter = counter + 1
    events[i] = '{"assignment_id":"' .. assignment .. '","metric":"thumbs_up","value":' .. (counter % 2) ..
      ',"event_id":"' .. prefix .. '-' .. counter .. '"}'
  end
  local body
  if per == 1 then body = events[1] else body = '{"events":[' .. table.concat(events, ",") .. ']}' end
  return wrk.format("POST", "/v1/feedback",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }, body)
end
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local ok = summary.requests - summary.errors.status
  io.write(string.format("requests=%d acknowledged_events=%d events_per_s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests, ok * per, ok * per / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
