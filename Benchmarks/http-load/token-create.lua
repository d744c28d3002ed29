-- wrk script: every request creates a 1h service token with the default policy.
-- The (root) token comes from the command line: wrk -H "X-Vault-Token: ..." -s token-create.lua URL
local body = '{"policies":["default"],"ttl":"1h","no_parent":false,"renewable":true,"display_name":"bench"}'

wrk.headers["Content-Type"] = "application/json"

request = function()
  return wrk.format("POST", "/v1/auth/token/create", nil, body)
end
