-- Queue a job: its status hash and its stream entry (or its place in the delayed set).
-- -> {'enqueued', 1 | 0}: 0 when a job with this id exists
if redis.call('EXISTS', KEY.job) == 1 then return {'enqueued', 0} end
local now = now_ms()
local delay = tonumber(ARG.delay_ms)
local where
if delay > 0 then
  redis.call('ZADD', KEY.delayed, now + delay, ARG.job_id)
  where = {'run_at', now + delay}
else
  where = {'entry', redis.call('XADD', KEY.stream, '*', 'job', ARG.job_id, 'user', ARG.user_id,
                               'task', ARG.task)}
end
redis.call('HSET', KEY.job, 'status', 'queued', 'task', ARG.task, 'user_id', ARG.user_id,
           'payload', ARG.payload, 'ttl', ARG.ttl_ms, 'attempts', 0, 'progress', 0,
           'created_at', now, 'updated_at', now, where[1], where[2])
return {'enqueued', 1}
