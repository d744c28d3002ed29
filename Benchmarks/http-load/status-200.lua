-- wrk script: counts the answers whose status is not 200 and prints "non200=N" at the end. wrk itself counts a
-- 3xx as a success, so a standby that redirects (307) instead of forwarding would look like a fast answer; ha.sh
-- reports this count beside each forwarding run. Requests are wrk's own (method, URL and -H from the command line).
--   wrk -t1 -c1 -d6s --latency -s status-200.lua -H "X-Vault-Token: ..." http://127.0.0.1:PORT/v1/secret/data/x
local threads = {}

-- Runs in the main Lua state once per thread, before any request: keeps the threads for done().
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("non200") or 0)
  end
  io.write(string.format("non200=%d\n", total))
end
