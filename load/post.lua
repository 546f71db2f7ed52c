-- wrk script: POST a JSON body with a key, and report p50/p99/p99.9 in microseconds as one line.
wrk.method = "POST"
wrk.body = os.getenv("LOAD_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("LOAD_KEY") or "none")

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50=%d p99=%d p999=%d errors=%d requests=%d status=%d read=%d timeout=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    e.connect + e.read + e.write + e.status + e.timeout, summary.requests, e.status, e.read, e.timeout))
end
