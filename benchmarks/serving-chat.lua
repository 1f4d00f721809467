-- POST a chat completion: to the gateway (model promptlab/support/triage, a unit per request) or,
-- with PROMPTLAB_BENCH_DIRECT=1, straight to the loopback upstream (model gpt-4o-mini), to measure
-- what the gateway adds.
local key = os.getenv("PROMPTLAB_BENCH_KEY") or ""
local direct = os.getenv("PROMPTLAB_BENCH_DIRECT") == "1"
local counter = 0
request = function()
  counter = counter + 1
  local body
  if direct then
    body = '{"model":"gpt-4o-mini","temperature":0,"messages":[{"role":"user","content":"Route: my card was charged twice"}]}'
  else
    body = '{"model":"promptlab/support/triage","user":"user-' .. counter ..
      '","messages":[],"promptlab":{"variables":{"ticket":"my card was charged twice"}}}'
  end
  return wrk.format("POST", "/v1/chat/completions",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }, body)
end
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("requests=%d rps=%.0f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
