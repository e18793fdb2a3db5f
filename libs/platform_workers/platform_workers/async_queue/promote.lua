-- Move due delayed jobs (ARG.job_ids, a JSON array; KEY.jobs their hashes) to the stream,
-- each exactly once: the ZREM that succeeds is the one that moves it.
-- -> {'moved', n}
local moved = 0
for i, job_id in ipairs(cjson.decode(ARG.job_ids)) do
  if redis.call('ZREM', KEY.delayed, job_id) == 1 then
    local h = redis.call('HMGET', KEY.jobs[i], 'status', 'user_id', 'task')
    if h[1] == 'queued' then
      local id = redis.call('XADD', KEY.stream, '*', 'job', job_id, 'user', h[2], 'task', h[3])
      redis.call('HSET', KEY.jobs[i], 'entry', id)
      moved = moved + 1
    end
  end
end
return {'moved', moved}
