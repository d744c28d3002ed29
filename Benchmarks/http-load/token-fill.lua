-- wrk script: fills the token store for the scale run. Every request creates a 24h service token with the
-- default policy (none expires during a run); each wrk thread stops after FILL_PER_THREAD 2xx answers and then
-- writes that count to FILL_MARKERS/<thread number>, so run.sh knows when the fill is done (wrk itself only
-- stops at -d or SIGINT). A non-2xx answer is counted in the marker's second field and does not count as a token;
-- 1000 of them stop the thread too (the server is refusing: run.sh reports it instead of waiting for -d).
--   FILL_PER_THREAD=500000 FILL_MARKERS=/tmp/markers wrk -t2 -c32 -d3600s -s token-fill.lua \
--       -H "X-Vault-Token: $ROOT" http://127.0.0.1:PORT/v1/auth/token/create
local body = '{"policies":["default"],"ttl":"24h","renewable":true,"display_name":"fill"}'
local quota = tonumber(os.getenv("FILL_PER_THREAD") or "0")
local markers = os.getenv("FILL_MARKERS") or "."
local threads = 0
local created = 0
local refused = 0
local finished = false

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = body

-- Runs in the main Lua state once per thread, before any request: numbers the threads.
function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function response(status, headers, body)
  if finished then return end
  if status >= 200 and status < 300 then
    created = created + 1
  else
    refused = refused + 1
  end
  if created >= quota or refused >= 1000 then
    finished = true
    local marker = io.open(string.format("%s/%d", markers, number), "w")
    marker:write(string.format("%d %d\n", created, refused))
    marker:close()
    wrk.thread:stop()
  end
end
