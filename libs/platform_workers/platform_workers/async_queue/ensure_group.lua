-- Create the consumer group unless it exists; ARG.start '0' also delivers the entries
-- added before the group existed. -> {'created', 1 | 0}
if redis.call('EXISTS', KEY.stream) == 1 then
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEY.stream)) do
    if g[2] == ARG.group then return {'created', 0} end
  end
end
redis.call('XGROUP', 'CREATE', KEY.stream, ARG.group, ARG.start, 'MKSTREAM')
return {'created', 1}
