-- Reclaim up to ARG.free entries whose lease lapsed (idle >= lease) from other consumers,
-- list the delayed jobs that are due, and (when ARG.prune is '1') drop expired registry
-- members and idle consumers that hold nothing.
-- -> {'claimed', {{'entry', id, 'fields', {field, value, ...}, 'deliveries', n}, ...},
--     'due', {job id, ...}, 'next_due', ms | -1, 'now', ms}
local lease, free = tonumber(ARG.lease_ms), tonumber(ARG.free)
local now = now_ms()
local claimed = {}
if free > 0 then
  -- An entry idle for a whole lease belongs to a worker that stopped renewing: it died,
  -- or stalled so long that its lease is gone. XCLAIM with the same min-idle takes it only
  -- if it is still that idle (a renewal that landed meanwhile wins) and counts a delivery,
  -- which fences the old worker's later writes off (`owned` checks the count).
  for _, p in ipairs(redis.call('XPENDING', KEY.stream, ARG.group, 'IDLE', lease, '-', '+',
                                ARG.scan)) do
    if #claimed >= free then break end
    if p[2] ~= ARG.consumer then
      local got = redis.call('XCLAIM', KEY.stream, ARG.group, ARG.consumer, lease, p[1])[1]
      if got then
        claimed[#claimed + 1] = {'entry', got[1], 'fields', got[2], 'deliveries', p[4] + 1}
      end
    end
  end
end
local due = redis.call('ZRANGEBYSCORE', KEY.delayed, '-inf', now, 'LIMIT', 0, ARG.due_batch)
local later = redis.call('ZRANGEBYSCORE', KEY.delayed, '(' .. now, '+inf', 'WITHSCORES',
                         'LIMIT', 0, 1)
local next_due = -1
if later[2] then next_due = tonumber(later[2]) end
if ARG.prune == '1' then
  redis.call('ZREMRANGEBYSCORE', KEY.workers, '-inf', now)
  for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEY.stream, ARG.group)) do
    local info = {}
    for k = 1, #c, 2 do info[c[k]] = c[k + 1] end
    if info.pending == 0 and info.idle >= lease and info.name ~= ARG.consumer
       and not redis.call('ZSCORE', KEY.workers, info.name) then
      redis.call('XGROUP', 'DELCONSUMER', KEY.stream, ARG.group, info.name)
    end
  end
end
return {'claimed', claimed, 'due', due, 'next_due', next_due, 'now', now}
