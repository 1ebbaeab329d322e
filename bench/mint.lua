-- wrk script for run-http.sh: every request mints one task token.
--   POST /v1/tasks/$STINT_TASK_ID/token   Authorization: Bearer $STINT_AGENT_TOKEN   (empty body)
-- done() prints one machine-readable line (STINT ...) that run-http.sh parses; wrk's own report
-- is printed as usual. "non2xx" is wrk's errors.status: every response with status >= 400
-- (wrk prints it as "Non-2xx or 3xx responses"). The broker never answers 1xx/3xx here.

local token = os.getenv("STINT_AGENT_TOKEN")
local task = os.getenv("STINT_TASK_ID")
if token == nil or token == "" or task == nil or task == "" then
  error("set STINT_AGENT_TOKEN and STINT_TASK_ID")
end

wrk.method = "POST"
wrk.path = "/v1/tasks/" .. task .. "/token"
wrk.body = ""  -- sends Content-Length: 0
wrk.headers["Authorization"] = "Bearer " .. token

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "STINT requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d "
      .. "p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
