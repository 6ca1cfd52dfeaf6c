-- wrk script for nginx's share: POST the SOAP request the proxy would send (read from a file)
-- with a bearer token, as the proxy's EWS client does.
--
-- wrk ... -s wrk-soap.lua URL -- BODY_FILE

dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "wrk-report.lua")

local body
local headers = {
  ["Content-Type"] = "text/xml; charset=utf-8",
  ["Accept"] = "text/xml",
  ["Authorization"] = "Bearer bench-access-token",
}

function init(args)
  local f = assert(io.open(args[1], "rb"))
  body = f:read("*a")
  f:close()
end

function request()
  return wrk.format("POST", nil, headers, body)
end
