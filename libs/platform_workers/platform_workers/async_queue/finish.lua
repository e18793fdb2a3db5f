-- Finish a batch of jobs: write each outcome, ack and delete its entry, emit its event.
-- ARG.jobs is a JSON array of {entry, deliveries, job_id, outcome, ran, kind, value, event,
-- delay_ms}, KEY.jobs their hashes. outcome: completed (value = result) | failed |
-- cancelled (value = message, event) | retry (value = message, delay_ms) | interrupted |
-- requeue (back to the stream; `ran` false: the handler never began).
-- -> {'finished', {1 | 0, ...}}: 0 when this call wrote nothing to the job: the worker no
--    longer owns the entry, or the entry is no longer the job's (cancelled meanwhile)
local route = cjson.decode(ARG.route)
local held = holdings(KEY.stream, ARG.group, ARG.consumer, tonumber(ARG.limit))
local now = now_ms()
local out, done = {}, {}
for i, j in ipairs(cjson.decode(ARG.jobs)) do
  local job = KEY.jobs[i]
  if not owns(held, j.entry, j.deliveries) then
    -- lost while the handler ran: whoever holds the entry now finishes the job
    out[i] = 0
  else
    done[#done + 1] = j.entry
    local h = redis.call('HMGET', job, 'attempts', 'started_at', 'ttl', 'entry')
    if h[4] ~= j.entry then
      out[i] = 0
    else
      local name = 'attempt:' .. h[1]
      local record
      if j.ran then
        local r = {worker = ARG.consumer, started_at = tonumber(h[2]), ended_at = now,
                   outcome = j.outcome}
        if j.outcome == 'retry' then r.outcome = 'failed' end
        if j.kind ~= '' then r.error_kind = j.kind; r.error = j.value end
        record = cjson.encode(r)
      else
        name = 'updated_at'
        record = now
      end
      if j.outcome == 'completed' then
        redis.call('HSET', job, 'status', 'completed', 'result', j.value, 'progress', 100,
                   'finished_at', now, 'updated_at', now, name, record)
        emit_event(KEY.events, route, j.event)
        redis.call('PEXPIRE', job, h[3])
      elseif j.outcome == 'failed' or j.outcome == 'cancelled' then
        redis.call('HSET', job, 'status', 'failed', 'error_kind', j.kind, 'error', j.value,
                   'finished_at', now, 'updated_at', now, name, record)
        emit_event(KEY.events, route, j.event)
        redis.call('PEXPIRE', job, h[3])
      else
        redis.call('HSET', job, name, record)
        requeue(KEY.stream, KEY.delayed, job, j.job_id, tonumber(j.delay_ms), now)
      end
      out[i] = 1
    end
  end
end
release(KEY.stream, ARG.group, done)
return {'finished', out}
