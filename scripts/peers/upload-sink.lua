-- Upload sink for the interop/bench nginx (served at /upload by scripts/peers.sh).
-- Reads the whole request body, keeps none of it, and only then answers
-- 200 {"received": <bytes>} so a client's upload time covers the full transfer.
-- Content-Length bodies over HTTP/1.1 are streamed through ngx.req.socket() (no buffering, no
-- temp file); chunked and HTTP/2 bodies (which that API refuses) fall back to ngx.req.read_body().
local received = 0
local sock = nil
if ngx.req.http_version() < 2 and ngx.var.http_transfer_encoding == nil then
  sock = ngx.req.socket()
end
if sock then
  local remaining = tonumber(ngx.var.http_content_length) or 0
  sock:settimeout(60000)
  while remaining > 0 do
    local chunk, err = sock:receive(remaining < 65536 and remaining or 65536)
    if not chunk then
      ngx.log(ngx.WARN, "upload sink: ", err)
      return ngx.exit(400)
    end
    received = received + #chunk
    remaining = remaining - #chunk
  end
else
  ngx.req.read_body()
  local data = ngx.req.get_body_data()
  if data then
    received = #data
  else
    local file = ngx.req.get_body_file()
    if file then
      local f = io.open(file, "rb")
      if f then
        received = f:seek("end")
        f:close()
      end
    end
  end
end
ngx.header["Content-Type"] = "application/json"
ngx.say('{"received":', received, '}')
