-- The benchmark's wrk script: the request comes from the environment, and `done` prints one
-- `BENCH_RESULT {json}` line that bench/report.py reads.
--
--   BENCH_METHOD  GET (default) or POST
--   BENCH_BODY    a JSON request body (sent as application/json)
--   BENCH_TOKEN   a JWT, sent as `Authorization: Bearer <token>`
--
-- No per-response callback: a Lua `response()` would slow wrk down on fast servers. So the error
-- count is wrk's own: responses with a status >= 400, plus socket errors (counted apart).

local method = os.getenv("BENCH_METHOD")
if method and method ~= "" then
  wrk.method = method
end
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"status_errors":%d,' ..
    '"socket_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write + e.timeout, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
