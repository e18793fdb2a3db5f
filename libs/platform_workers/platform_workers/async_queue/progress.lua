-- Record a running job's progress and emit its progress event, if this worker still
-- holds the job. An empty ARG.message clears the job's message.
-- -> {'written', 1 | 0}: 0 when the lease was lost
if not owned(KEY.stream, ARG.group, ARG.entry, ARG.consumer, ARG.deliveries) then
  return {'written', 0}
end
redis.call('HSET', KEY.job, 'progress', ARG.progress, 'updated_at', now_ms())
if ARG.message == '' then
  redis.call('HDEL', KEY.job, 'message')
else
  redis.call('HSET', KEY.job, 'message', ARG.message)
end
emit_event(KEY.events, cjson.decode(ARG.route), ARG.event)
return {'written', 1}
