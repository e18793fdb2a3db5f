-- Heartbeat this worker in the registry, then renew the lease of each job it still holds.
-- ARG.jobs is a JSON array of {entry, deliveries}, KEY.jobs their hashes.
-- -> {'renewed', {verdict...}}: per job {'verdict', 'ok'} | {'verdict', 'cancel', 'reason',
--    text} | {'verdict', 'lost'}
local now = now_ms()
redis.call('ZADD', KEY.workers, now + tonumber(ARG.ttl_ms), ARG.consumer)
redis.call('SET', KEY.record, ARG.record, 'PX', ARG.ttl_ms)
local held = holdings(KEY.stream, ARG.group, ARG.consumer, tonumber(ARG.limit))
local out, keep = {}, {}
for i, j in ipairs(cjson.decode(ARG.jobs)) do
  if owns(held, j.entry, j.deliveries) then
    keep[#keep + 1] = j.entry
    local cancel = redis.call('HGET', KEY.jobs[i], 'cancel')
    if cancel then
      out[i] = {'verdict', 'cancel', 'reason', cancel}
    else
      out[i] = {'verdict', 'ok'}
    end
  else
    out[i] = {'verdict', 'lost'}
  end
end
if #keep > 0 then
  -- The lease is the entry's idle time in the group: XCLAIM by its owner with min-idle 0
  -- and JUSTID resets it without counting a delivery, so the delivery count (the fence
  -- in `owned`) stays the same. Other workers reclaim only entries idle for a whole lease.
  -- (The ids go in one table: `unpack` in the middle of an argument list gives one value.)
  local claim = {'XCLAIM', KEY.stream, ARG.group, ARG.consumer, 0}
  for _, entry in ipairs(keep) do claim[#claim + 1] = entry end
  claim[#claim + 1] = 'JUSTID'
  redis.call(unpack(claim))
end
return {'renewed', out}
