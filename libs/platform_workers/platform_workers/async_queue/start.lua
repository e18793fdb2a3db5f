-- Start a batch of jobs this worker read or reclaimed. ARG.jobs is a JSON array of
-- {entry, deliveries, job_id, mode ('run' | 'dead'), event, message}, KEY.jobs their hashes.
-- -> {'verdicts', {verdict...}}, one per job, each a flat list of names and values:
--    {'verdict', 'run', 'attempt', n, 'payload', text} | {'verdict', 'dead'} |
--    {'verdict', 'cancel', 'reason', text} | {'verdict', 'skip'} | {'verdict', 'lost'}
local route = cjson.decode(ARG.route)
local held = holdings(KEY.stream, ARG.group, ARG.consumer, tonumber(ARG.limit))
local now = now_ms()
local out, drop = {}, {}
for i, j in ipairs(cjson.decode(ARG.jobs)) do
  local job = KEY.jobs[i]
  if not owns(held, j.entry, j.deliveries) then
    out[i] = {'verdict', 'lost'}
  else
    local h = redis.call('HMGET', job, 'status', 'entry', 'cancel', 'attempts', 'payload',
                         'worker', 'started_at')
    local status = h[1]
    if (status ~= 'queued' and status ~= 'processing') or h[2] ~= j.entry then
      -- the entry is stale: the job finished, was cancelled or moved to another entry
      drop[#drop + 1] = j.entry
      out[i] = {'verdict', 'skip'}
    else
      local attempts = tonumber(h[4])
      if status == 'processing' then
        -- reclaimed: the worker that ran it died (or stalled past its lease); its attempt
        -- ends 'lost' here, in the same call that gives the job to this worker
        redis.call('HSET', job, 'attempt:' .. attempts, cjson.encode({
          worker = h[6], started_at = tonumber(h[7]), ended_at = now, outcome = 'lost'}),
          'status', 'queued', 'updated_at', now)
      end
      if j.mode == 'dead' then
        local d = redis.call('HMGET', job, 'ttl', 'task', 'user_id')
        redis.call('XADD', KEY.dead, 'MAXLEN', '~', ARG.dead_cap, '*', 'job', j.job_id,
                   'task', d[2], 'user', d[3], 'entry', j.entry, 'deliveries', j.deliveries,
                   'reason', j.message, 'at', now)
        drop[#drop + 1] = j.entry
        redis.call('HSET', job, 'status', 'failed', 'error_kind', 'system', 'error', j.message,
                   'finished_at', now, 'updated_at', now)
        emit_event(KEY.events, route, j.event)
        redis.call('PEXPIRE', job, d[1])
        out[i] = {'verdict', 'dead'}
      elseif h[3] then
        out[i] = {'verdict', 'cancel', 'reason', h[3]}
      else
        attempts = attempts + 1
        redis.call('HSET', job, 'status', 'processing', 'worker', ARG.consumer,
                   'started_at', now, 'updated_at', now, 'attempts', attempts)
        emit_event(KEY.events, route, j.event)
        out[i] = {'verdict', 'run', 'attempt', attempts, 'payload', h[5]}
      end
    end
  end
end
release(KEY.stream, ARG.group, drop)
return {'verdicts', out}
