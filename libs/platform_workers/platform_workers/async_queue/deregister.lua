-- A stopping worker leaves the registry; its consumer goes too when it holds nothing
-- (entries it still holds stay pending, for other workers to reclaim).
-- -> {'left', 1}
redis.call('ZREM', KEY.workers, ARG.consumer)
redis.call('DEL', KEY.record)
if #redis.call('XPENDING', KEY.stream, ARG.group, '-', '+', 1, ARG.consumer) == 0 then
  redis.call('XGROUP', 'DELCONSUMER', KEY.stream, ARG.group, ARG.consumer)
end
return {'left', 1}
