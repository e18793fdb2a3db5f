-- Cancel a job. A queued (or delayed) job fails at once and never runs; a running one is
-- marked, and its worker is told on the control channel (and notices the mark at its next
-- lease renewal if it missed the message).
-- -> {'outcome', 'missing' | 'finished' | 'cancelled' | 'cancelling'}
local h = redis.call('HMGET', KEY.job, 'status', 'entry', 'ttl')
if not h[1] then return {'outcome', 'missing'} end
if h[1] == 'completed' or h[1] == 'failed' then return {'outcome', 'finished'} end
redis.call('HSET', KEY.job, 'cancel', ARG.reason)
if h[1] == 'processing' then
  redis.call('PUBLISH', ARG.control, cjson.encode({job = ARG.job_id, reason = ARG.reason}))
  return {'outcome', 'cancelling'}
end
local now = now_ms()
redis.call('ZREM', KEY.delayed, ARG.job_id)
if h[2] then
  redis.call('XACK', KEY.stream, ARG.group, h[2])
  redis.call('XDEL', KEY.stream, h[2])
end
redis.call('HSET', KEY.job, 'status', 'failed', 'error_kind', 'user', 'error', ARG.message,
           'finished_at', now, 'updated_at', now)
redis.call('HDEL', KEY.job, 'entry')
emit_event(KEY.events, cjson.decode(ARG.route), ARG.event)
redis.call('PEXPIRE', KEY.job, h[3])
return {'outcome', 'cancelled'}
