"""`platform_workers.async_redis`: the platform's only way to reach Redis.

    async with open_redis(settings.redis_url) as redis:
        await redis.hset("orders:job:1", {"status": "queued"})
        pipe = redis.pipeline()                      # MULTI/EXEC, one round trip
        entry_id = pipe.add(commands.xadd("s", {"f": "v"}, maxlen=1000))
        pipe.add(commands.publish("orders:events", "{}"))
        await pipe.execute()
        print(entry_id.value)

Every command is a typed `Command[T]` (see `commands`); failures raise
`RedisError` subclasses; nothing retries.
"""

from platform_workers.async_redis import commands
from platform_workers.async_redis.client import (
    ClientStats,
    Message,
    Pending,
    Pipeline,
    RedisClient,
    Script,
    Subscription,
    open_redis,
)
from platform_workers.async_redis.commands import Arg, Command
from platform_workers.async_redis.errors import (
    RedisCommandError,
    RedisConnectionError,
    RedisError,
    RedisReplyError,
    RedisScriptMissingError,
    RedisTimeoutError,
)
from platform_workers.async_redis.reply import (
    AutoClaimed,
    PendingEntry,
    PendingSummary,
    Reply,
    StreamBatch,
    StreamEntry,
)

__all__ = [
    "Arg",
    "AutoClaimed",
    "ClientStats",
    "Command",
    "Message",
    "Pending",
    "PendingEntry",
    "PendingSummary",
    "Pipeline",
    "RedisClient",
    "RedisCommandError",
    "RedisConnectionError",
    "RedisError",
    "RedisReplyError",
    "RedisScriptMissingError",
    "RedisTimeoutError",
    "Reply",
    "Script",
    "StreamBatch",
    "StreamEntry",
    "Subscription",
    "commands",
    "open_redis",
]
