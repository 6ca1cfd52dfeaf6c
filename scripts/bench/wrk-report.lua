-- Shared by the wrk scripts: one machine-readable line at the end of a run,
-- RESULT req/s p50_ms p99_ms non-2xx socket_errors (read by scripts/bench-load.sh).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
