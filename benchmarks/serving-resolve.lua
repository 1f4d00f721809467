-- POST /v1/prompts/support/triage/resolve with a different unit each request (many units, as in
-- production), and prints percentiles like wrk-percentiles.lua.
local counter = 0
local key = os.getenv("PROMPTLAB_BENCH_KEY") or ""
request = function()
  counter = counter + 1
  local body = '{"unit":"user-' .. counter .. '","variables":{"ticket":"my card was charged twice"}}'
  return wrk.format("POST", "/v1/prompts/support/triage/resolve",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }, body)
end
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("requests=%d rps=%.0f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
