-- wrk script of the benchmark (scripts/bench); configured through the
-- environment, so that one script serves every scenario:
--
--   BENCH_METHOD  GET (default) or POST
--   BENCH_BODY    request body (POST; form-encoded)
--   BENCH_AUTH    value of the Authorization header, if any
--   BENCH_TOKENS  a file of request bodies, one per line, each sent
--                 once (the refresh scenario: a fresh refresh token per
--                 request); the threads take alternate lines
--   BENCH_OUT     where done() writes its one line of results
--
-- The result line has key=value pairs: requests, seconds, rate, p50,
-- p99 (milliseconds), errors (HTTP status >= 400 plus socket errors:
-- connect, read, write, timeout) and exhausted (requests sent after
-- BENCH_TOKENS ran out, which then repeat the last body).

local threads = {}
local nthreads = 0

function setup(thread)
   thread:set("tid", nthreads)
   nthreads = nthreads + 1
   table.insert(threads, thread)
end

local bodies = nil
local nextb = 1
local method = os.getenv("BENCH_METHOD") or "GET"
local headers = {}
local body = os.getenv("BENCH_BODY")
local prepared = nil
exhausted = 0

function init(args)
   local auth = os.getenv("BENCH_AUTH")
   if auth and auth ~= "" then
      headers["Authorization"] = auth
   end
   if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
   end
   local file = os.getenv("BENCH_TOKENS")
   if file and file ~= "" then
      -- Threads are set up before init runs; wrk runs 2 here.
      local n = tonumber(os.getenv("BENCH_THREADS") or "1")
      bodies = {}
      local i = 0
      for line in io.lines(file) do
         if i % n == tid then
            table.insert(bodies, line)
         end
         i = i + 1
      end
   else
      prepared = wrk.format(method, nil, headers, body)
   end
end

function request()
   if prepared then
      return prepared
   end
   local b = bodies[nextb]
   if b == nil then
      exhausted = exhausted + 1
      b = bodies[#bodies]
   else
      nextb = nextb + 1
   end
   return wrk.format(method, nil, headers, b)
end

function done(summary, latency, requests)
   local e = summary.errors
   local ex = 0
   for _, t in ipairs(threads) do
      ex = ex + (t:get("exhausted") or 0)
   end
   local secs = summary.duration / 1e6
   local f = io.open(os.getenv("BENCH_OUT") or "/dev/stdout", "w")
   f:write(string.format("requests=%d seconds=%.2f rate=%.1f p50=%.2f " ..
      "p99=%.2f errors=%d exhausted=%d\n", summary.requests, secs,
      summary.requests / secs, latency:percentile(50) / 1000,
      latency:percentile(99) / 1000,
      e.status + e.connect + e.read + e.write + e.timeout, ex))
   f:close()
end
