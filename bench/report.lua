-- Added to every wrk run: one machine-readable line with the percentiles wrk's own summary leaves out (p95).
-- Latencies are in microseconds. Set OLE_PATHS (space-separated) to spread requests over several paths.
local paths = {}
for p in string.gmatch(os.getenv("OLE_PATHS") or "", "%S+") do
  table.insert(paths, p)
end
local counter = 0

request = function()
  if #paths == 0 then
    return wrk.format(nil)
  end
  counter = counter + 1
  return wrk.format(nil, paths[(counter % #paths) + 1])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "OLE-RESULT p50=%d p95=%d p99=%d requests=%d duration_us=%d status_errors=%d socket_errors=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.requests,
    summary.duration, e.status, e.connect + e.read + e.write + e.timeout))
end
