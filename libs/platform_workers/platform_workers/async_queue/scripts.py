"""The queue's Lua scripts: every state change of a job is one atomic script call.

Each script names every key it touches in KEYS (all under the queue's hash tag,
so one Cluster slot) and takes Redis's clock from `TIME`. A job's stream entry
is owned by the worker whose consumer holds it in the group's pending entries
list (PEL) with the delivery count it was given: `owned()` is the fence that
every write by a worker passes first, so a worker that lost its lease can
neither start, renew, report progress on nor finish a job someone else runs.
Lifecycle events arrive encoded (by `platform_core.async_events`) in ARGV and
are appended to the domain's capped events stream and PUBLISHed in the same
call. docs/queue.md lists every call per job.
"""

from platform_core.async_events import EMIT_EVENT_LUA
from platform_workers.async_redis import Script

_PRELUDE = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- whether `consumer` holds `entry` with this delivery count (one XPENDING per entry)
local function owned(stream, group, entry, consumer, deliveries)
  local p = redis.call('XPENDING', stream, group, entry, entry, 1)[1]
  return p ~= nil and p[2] == consumer and p[4] == tonumber(deliveries)
end
-- everything `consumer` holds (one XPENDING for a batch): {entry = deliveries}, and
-- whether the list was cut at `limit` (then `owns` asks per entry for the rest)
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
-- route = {stream, route}: the domain's events (async_events: EventRoute.lua_arg in ARGV[a])
local function route(stream, a)
  return {stream, cjson.decode(ARGV[a])}
end
local function emit(r, text)
  emit_event(r[1], r[2], text)
end
-- ack and delete the entries (one XACK and one XDEL for a batch)
local function release(stream, group, entries)
  if #entries > 0 then
    redis.call('XACK', stream, group, unpack(entries))
    redis.call('XDEL', stream, unpack(entries))
  end
end
local function requeue(stream, delayed, job, job_id, delay, now)
  local h = redis.call('HMGET', job, 'user_id', 'task')
  redis.call('HSET', job, 'status', 'queued', 'updated_at', now)
  redis.call('HDEL', job, 'entry', 'worker', 'started_at')
  if delay > 0 then
    redis.call('HSET', job, 'run_at', now + delay)
    redis.call('ZADD', delayed, now + delay, job_id)
  else
    local id = redis.call('XADD', stream, '*', 'job', job_id, 'user', h[1], 'task', h[2])
    redis.call('HSET', job, 'entry', id)
  end
end
"""


def _script(body: str) -> Script:
    return Script(EMIT_EVENT_LUA + _PRELUDE + body)


# KEYS: job, stream, delayed
# ARGV: job_id, task, user_id, payload, ttl_ms, delay_ms
# -> 1 enqueued, 0 the job id exists
ENQUEUE = _script("""
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now = now_ms()
local delay = tonumber(ARGV[6])
local where
if delay > 0 then
  redis.call('ZADD', KEYS[3], now + delay, ARGV[1])
  where = {'run_at', now + delay}
else
  where = {'entry', redis.call('XADD', KEYS[2], '*', 'job', ARGV[1], 'user', ARGV[3],
                               'task', ARGV[2])}
end
redis.call('HSET', KEYS[1], 'status', 'queued', 'task', ARGV[2], 'user_id', ARGV[3],
           'payload', ARGV[4], 'ttl', ARGV[5], 'attempts', 0, 'progress', 0,
           'created_at', now, 'updated_at', now, where[1], where[2])
return 1
""")

# KEYS: stream, events, dead, job...
# ARGV: route (the events route's lua_arg), group, consumer, dead_cap, limit
#       (how many entries the worker may hold), then the jobs as one JSON array, each
#       job an array of: entry, deliveries, job_id, mode ('run' | 'dead'), event, message
# -> per job: {'run', attempt, payload} | {'dead'} | {'cancel', reason} | {'skip'} | {'lost'}
START = _script("""
local stream, events, dead = KEYS[1], route(KEYS[2], 1), KEYS[3]
local group, consumer, dead_cap = ARGV[2], ARGV[3], ARGV[4]
local held = holdings(stream, group, consumer, tonumber(ARGV[5]))
local now = now_ms()
local out, drop = {}, {}
for i, j in ipairs(cjson.decode(ARGV[6])) do
  local job = KEYS[3 + i]
  local entry, deliveries, job_id, mode, event, message = unpack(j)
  if not owns(held, entry, deliveries) then
    out[i] = {'lost'}
  else
    local h = redis.call('HMGET', job, 'status', 'entry', 'cancel', 'attempts', 'payload',
                         'worker', 'started_at')
    local status = h[1]
    if (status ~= 'queued' and status ~= 'processing') or h[2] ~= entry then
      drop[#drop + 1] = entry
      out[i] = {'skip'}
    else
      local attempts = tonumber(h[4])
      if status == 'processing' then
        redis.call('HSET', job, 'attempt:' .. attempts, cjson.encode({
          worker = h[6], started_at = tonumber(h[7]), ended_at = now, outcome = 'lost'}),
          'status', 'queued', 'updated_at', now)
      end
      if mode == 'dead' then
        local d = redis.call('HMGET', job, 'ttl', 'task', 'user_id')
        redis.call('XADD', dead, 'MAXLEN', '~', dead_cap, '*', 'job', job_id, 'task', d[2],
                   'user', d[3], 'entry', entry, 'deliveries', deliveries, 'reason', message,
                   'at', now)
        drop[#drop + 1] = entry
        redis.call('HSET', job, 'status', 'failed', 'error_kind', 'system', 'error', message,
                   'finished_at', now, 'updated_at', now)
        emit(events, event)
        redis.call('PEXPIRE', job, d[1])
        out[i] = {'dead'}
      elseif h[3] then
        out[i] = {'cancel', h[3]}
      else
        attempts = attempts + 1
        redis.call('HSET', job, 'status', 'processing', 'worker', consumer, 'started_at', now,
                   'updated_at', now, 'attempts', attempts)
        emit(events, event)
        out[i] = {'run', attempts, h[5]}
      end
    end
  end
end
release(stream, group, drop)
return out
""")

# KEYS: stream, events, delayed, job...
# ARGV: route (the events route's lua_arg), group, consumer, limit, then the
#       jobs as one JSON array, each job an array of: entry, deliveries, job_id, outcome,
#       ran (a bool), kind, value, event, delay_ms. The outcome is one of
#   completed (value = result) | failed | cancelled (value = message, event) |
#          retry (value = message, delay_ms) | interrupted | requeue (back to the stream)
# -> per job: 1 finished, 0 not finished by this call: the worker no longer owns the entry,
#    or the entry is no longer the job's (e.g. cancelled meanwhile); nothing is written
#    to the job then
FINISH = _script("""
local stream, events, delayed = KEYS[1], route(KEYS[2], 1), KEYS[3]
local group, consumer = ARGV[2], ARGV[3]
local held = holdings(stream, group, consumer, tonumber(ARGV[4]))
local now = now_ms()
local out, done = {}, {}
for i, j in ipairs(cjson.decode(ARGV[5])) do
  local job = KEYS[3 + i]
  local entry, deliveries, job_id, outcome, ran, kind, value, event, delay = unpack(j)
  if not owns(held, entry, deliveries) then
    out[i] = 0
  else
    done[#done + 1] = entry
    local h = redis.call('HMGET', job, 'attempts', 'started_at', 'ttl', 'entry')
    if h[4] ~= entry then
      out[i] = 0
    else
      local record, name = '', 'attempt:' .. h[1]
      if ran then
        local r = {worker = consumer, started_at = tonumber(h[2]), ended_at = now,
                   outcome = outcome}
        if outcome == 'retry' then r.outcome = 'failed' end
        if kind ~= '' then r.error_kind = kind; r.error = value end
        record = cjson.encode(r)
      else
        name = 'updated_at'
        record = now
      end
      if outcome == 'completed' then
        redis.call('HSET', job, 'status', 'completed', 'result', value, 'progress', 100,
                   'finished_at', now, 'updated_at', now, name, record)
        emit(events, event)
        redis.call('PEXPIRE', job, h[3])
      elseif outcome == 'failed' or outcome == 'cancelled' then
        redis.call('HSET', job, 'status', 'failed', 'error_kind', kind, 'error', value,
                   'finished_at', now, 'updated_at', now, name, record)
        emit(events, event)
        redis.call('PEXPIRE', job, h[3])
      else
        redis.call('HSET', job, name, record)
        requeue(stream, delayed, job, job_id, delay, now)
      end
      out[i] = 1
    end
  end
end
release(stream, group, done)
return out
""")

# KEYS: stream, events, job
# ARGV: route, group, consumer, entry, deliveries, progress, message, event
# message '' clears the job's message. -> 1 written, 0 lost
PROGRESS = _script("""
local group, consumer, entry, deliveries, progress, message, event = unpack(ARGV, 2, 8)
if not owned(KEYS[1], group, entry, consumer, deliveries) then return 0 end
redis.call('HSET', KEYS[3], 'progress', progress, 'updated_at', now_ms())
if message == '' then
  redis.call('HDEL', KEYS[3], 'message')
else
  redis.call('HSET', KEYS[3], 'message', message)
end
emit(route(KEYS[2], 1), event)
return 1
""")

# KEYS: stream, workers, worker record, job...
# ARGV: group, consumer, ttl_ms, record, limit, then per job: entry, deliveries
# Heartbeat, then renew each lease this worker still holds (XCLAIM JUSTID resets the
# entry's idle time without counting a delivery).
# -> per job: {'ok'} | {'cancel', reason} | {'lost'}
RENEW = _script("""
local stream, workers = KEYS[1], KEYS[2]
local group, consumer, ttl, record = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = now_ms()
redis.call('ZADD', workers, now + tonumber(ttl), consumer)
redis.call('SET', KEYS[3], record, 'PX', ttl)
local held = holdings(stream, group, consumer, tonumber(ARGV[5]))
local out, keep = {}, {}
for i = 1, #KEYS - 3 do
  if owns(held, ARGV[4 + 2 * i], ARGV[5 + 2 * i]) then
    keep[#keep + 1] = ARGV[4 + 2 * i]
    local cancel = redis.call('HGET', KEYS[3 + i], 'cancel')
    if cancel then out[i] = {'cancel', cancel} else out[i] = {'ok'} end
  else
    out[i] = {'lost'}
  end
end
if #keep > 0 then
  redis.call('XCLAIM', stream, group, consumer, 0, unpack(keep), 'JUSTID')
end
return out
""")

# KEYS: stream, delayed, workers
# ARGV: group, consumer, lease_ms, free, scan, due_batch, prune ('1' | '0')
# Reclaims up to `free` entries whose lease lapsed (idle >= lease) from other consumers,
# lists delayed jobs that are due, and (when `prune`) drops expired registry members
# and idle consumers that hold nothing.
# -> {{{entry, {field, value, ...}, deliveries}, ...}, {due job id, ...}, next due ms | -1,
#     now ms}
MAINTAIN = _script("""
local stream, delayed, workers = KEYS[1], KEYS[2], KEYS[3]
local group, consumer = ARGV[1], ARGV[2]
local lease, free, scan, batch = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6]
local now = now_ms()
local claimed = {}
if free > 0 then
  for _, p in ipairs(redis.call('XPENDING', stream, group, 'IDLE', lease, '-', '+', scan)) do
    if #claimed >= free then break end
    if p[2] ~= consumer then
      local got = redis.call('XCLAIM', stream, group, consumer, lease, p[1])[1]
      if got then claimed[#claimed + 1] = {got[1], got[2], p[4] + 1} end
    end
  end
end
local due = redis.call('ZRANGEBYSCORE', delayed, '-inf', now, 'LIMIT', 0, batch)
local later = redis.call('ZRANGEBYSCORE', delayed, '(' .. now, '+inf', 'WITHSCORES',
                         'LIMIT', 0, 1)
local next_due = -1
if later[2] then next_due = tonumber(later[2]) end
if ARGV[7] == '1' then
  redis.call('ZREMRANGEBYSCORE', workers, '-inf', now)
  for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', stream, group)) do
    local info = {}
    for k = 1, #c, 2 do info[c[k]] = c[k + 1] end
    if info.pending == 0 and info.idle >= lease and info.name ~= consumer
       and not redis.call('ZSCORE', workers, info.name) then
      redis.call('XGROUP', 'DELCONSUMER', stream, group, info.name)
    end
  end
end
return {claimed, due, next_due, now}
""")

# KEYS: stream, delayed, job...
# ARGV: job ids. Moves due delayed jobs to the stream, each exactly once (ZREM guards).
# -> how many were moved
PROMOTE = _script("""
local moved = 0
for i = 1, #ARGV do
  if redis.call('ZREM', KEYS[2], ARGV[i]) == 1 then
    local h = redis.call('HMGET', KEYS[2 + i], 'status', 'user_id', 'task')
    if h[1] == 'queued' then
      local id = redis.call('XADD', KEYS[1], '*', 'job', ARGV[i], 'user', h[2], 'task', h[3])
      redis.call('HSET', KEYS[2 + i], 'entry', id)
      moved = moved + 1
    end
  end
end
return moved
""")

# KEYS: job, stream, delayed, events
# ARGV: route, group, job_id, reason, message, event, control channel
# -> 'missing' | 'finished' | 'cancelled' (was queued: it never runs) |
#    'cancelling' (running: its worker cancels the handler and fails the job)
CANCEL = _script("""
local job, stream, delayed, events = KEYS[1], KEYS[2], KEYS[3], route(KEYS[4], 1)
local group, job_id, reason, message, event, control = unpack(ARGV, 2, 7)
local h = redis.call('HMGET', job, 'status', 'entry', 'ttl')
if not h[1] then return 'missing' end
if h[1] == 'completed' or h[1] == 'failed' then return 'finished' end
redis.call('HSET', job, 'cancel', reason)
if h[1] == 'processing' then
  redis.call('PUBLISH', control, cjson.encode({job = job_id, reason = reason}))
  return 'cancelling'
end
local now = now_ms()
redis.call('ZREM', delayed, job_id)
if h[2] then
  redis.call('XACK', stream, group, h[2])
  redis.call('XDEL', stream, h[2])
end
redis.call('HSET', job, 'status', 'failed', 'error_kind', 'user', 'error', message,
           'finished_at', now, 'updated_at', now)
redis.call('HDEL', job, 'entry')
emit(events, event)
redis.call('PEXPIRE', job, h[3])
return 'cancelled'
""")

# Creates the consumer group unless it exists. KEYS: the stream. ARGV: the group, and
# the id to start from ('0' delivers the entries added before the group existed).
# -> 1 created, 0 it existed
ENSURE_GROUP = _script("""
if redis.call('EXISTS', KEYS[1]) == 1 then
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    if g[2] == ARGV[1] then return 0 end
  end
end
redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], ARGV[2], 'MKSTREAM')
return 1
""")

# KEYS: workers, worker record, stream
# ARGV: group, consumer. A stopping worker leaves the registry; its consumer goes too
# when it holds nothing (entries it still holds stay pending for reclaim).
DEREGISTER = _script("""
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
if #redis.call('XPENDING', KEYS[3], ARGV[1], '-', '+', 1, ARGV[2]) == 0 then
  redis.call('XGROUP', 'DELCONSUMER', KEYS[3], ARGV[1], ARGV[2])
end
return 1
""")

# KEYS: workers. -> how many workers have a heartbeat that has not expired.
LIVE_WORKERS = _script("""
return redis.call('ZCOUNT', KEYS[1], '(' .. now_ms(), '+inf')
""")
