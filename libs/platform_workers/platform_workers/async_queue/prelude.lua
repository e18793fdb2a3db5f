-- Helpers shared by the queue's scripts (platform_workers.async_queue.scripts puts this file
-- after emit_event.lua and before each script's KEY/ARG names and body).

-- Redis's clock in ms: every time a script writes is Redis's, never a worker's.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Whether `consumer` holds `entry` with this delivery count (one XPENDING per entry).
-- This is the fence every write by a worker passes first: a worker whose lease lapsed and
-- whose entry another worker reclaimed (XCLAIM moved it, and counted a delivery) fails it,
-- so it can neither start, renew, report progress on nor finish a job someone else runs.
-- The delivery count matters too: a worker that reclaims its own lost entry back holds it
-- again, but with a new count, and its earlier run must not pass for the new one.
local function owned(stream, group, entry, consumer, deliveries)
  local p = redis.call('XPENDING', stream, group, entry, entry, 1)[1]
  return p ~= nil and p[2] == consumer and p[4] == tonumber(deliveries)
end

-- Everything `consumer` holds (one XPENDING for a batch): {entry = deliveries}, and whether
-- the list was cut at `limit` (then `owns` asks per entry for the rest).
local function holdings(stream, group, consumer, limit)
  local mine = {}
  local listed = redis.call('XPENDING', stream, group, '-', '+', limit, consumer)
  for _, p in ipairs(listed) do mine[p[1]] = p[4] end
  return {stream = stream, group = group, consumer = consumer, mine = mine,
          cut = #listed >= limit}
end

local function owns(held, entry, deliveries)
  local d = held.mine[entry]
  if d == nil and held.cut then
    return owned(held.stream, held.group, entry, held.consumer, deliveries)
  end
  return d == tonumber(deliveries)
end

-- Ack and delete the entries (one XACK and one XDEL for a batch).
local function release(stream, group, entries)
  if #entries > 0 then
    redis.call('XACK', stream, group, unpack(entries))
    redis.call('XDEL', stream, unpack(entries))
  end
end

-- Put a job back: into the delayed set when `delay` > 0 (its `run_at` says when), else at
-- the end of the stream as a new entry (no `run_at`: it is runnable now).
local function requeue(stream, delayed, job, job_id, delay, now)
  local h = redis.call('HMGET', job, 'user_id', 'task')
  redis.call('HSET', job, 'status', 'queued', 'updated_at', now)
  redis.call('HDEL', job, 'entry', 'worker', 'started_at')
  if delay > 0 then
    redis.call('HSET', job, 'run_at', now + delay)
    redis.call('ZADD', delayed, now + delay, job_id)
  else
    redis.call('HDEL', job, 'run_at')
    local id = redis.call('XADD', stream, '*', 'job', job_id, 'user', h[1], 'task', h[2])
    redis.call('HSET', job, 'entry', id)
  end
end
