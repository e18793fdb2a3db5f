-- EventPublisher.publish_many: emit each event i in order, in one atomic call.
-- KEYS[i]: event i's stream; ARGV[2i-1]: its route (EventRoute.lua_arg), ARGV[2i]: its text.
-- -> the new stream entry ids, in order
local ids = {}
for i = 1, #KEYS do
  ids[i] = emit_event(KEYS[i], cjson.decode(ARGV[2 * i - 1]), ARGV[2 * i])
end
return ids
