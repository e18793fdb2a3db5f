-- How many workers have a heartbeat that has not expired. -> {'live', n}
return {'live', redis.call('ZCOUNT', KEY.workers, '(' .. now_ms(), '+inf')}
