-- wrk script for the proxy's JSON API: every request carries the session handle and a DPoP
-- proof never used before (pre-signed by `loadbench proofs`, one per line with an
-- Idempotency-Key after a tab). Each thread takes every Nth line, so no proof is sent twice;
-- a run longer than the file wraps around, and the replayed proofs then show up as non-2xx.
--
-- wrk ... -s wrk-api.lua URL -- PROOFS METHOD PATH ORIGIN HANDLE THREADS [BODY_FILE]

dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "wrk-report.lua")

local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local proofs, keys, index = {}, {}, 0
local method, path, body
local headers = {}

function init(args)
  local file, threads = args[1], tonumber(args[6])
  method, path = args[2], args[3]
  headers["Origin"] = args[4]
  headers["Authorization"] = "DPoP " .. args[5]
  if args[7] then
    local f = assert(io.open(args[7], "rb"))
    body = f:read("*a")
    f:close()
    headers["Content-Type"] = "application/json"
  end
  local line_number = 0
  for line in io.lines(file) do
    if line_number % threads == id then
      local proof, key = line:match("^([^\t]+)\t(.+)$")
      proofs[#proofs + 1] = proof
      keys[#keys + 1] = key
    end
    line_number = line_number + 1
  end
end

function request()
  index = index + 1
  if index > #proofs then index = 1 end
  headers["DPoP"] = proofs[index]
  if method == "POST" then headers["Idempotency-Key"] = keys[index] end
  return wrk.format(method, path, headers, body)
end
