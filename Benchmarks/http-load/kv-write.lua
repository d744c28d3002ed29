-- wrk script: every request writes a new version of one of 64 KV v2 secrets under secret/bench/write-N.
-- The token comes from the command line: wrk -H "X-Vault-Token: ..." -s kv-write.lua URL
local counter = 0

wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  local path = string.format("/v1/secret/data/bench/write-%d", counter % 64)
  local body = string.format('{"data":{"value":"bench-value-%d","n":%d}}', counter, counter)
  return wrk.format("POST", path, nil, body)
end
