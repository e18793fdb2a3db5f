-- The one way Lua writes an event (platform_core.async_events, docs/events.md): append the
-- text to the domain's capped stream, then PUBLISH the same text on the domain's channel.
-- If the XADD fails the script stops before the PUBLISH, so a live subscriber never sees
-- an event the stream does not hold.
--   stream: the route's stream key (passed in KEYS: it carries the domain's hash tag)
--   route:  cjson.decode of `EventRoute.lua_arg` (the route's channel, field, trim, maxlen)
--   text:   the event's wire text, built by `encode_event` in Python, never in Lua
local function emit_event(stream, route, text)
  local id = redis.call('XADD', stream, 'MAXLEN', route.trim, route.maxlen, '*', route.field,
                        text)
  redis.call('PUBLISH', route.channel, text)
  return id
end
