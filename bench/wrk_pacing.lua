-- wrk script for bench/api_bench.py: each connection waits VIGIL_DELAY_MS milliseconds between
-- a response and its next request, so that the load is paced below the hub's peak.
local delay_ms = tonumber(os.getenv("VIGIL_DELAY_MS")) or 0

function delay()
  return delay_ms
end
