"""The Redis readiness check: one PING through `platform_workers.async_redis`, no retries.

It passes when Redis answers PONG and otherwise raises `NotReadyError` whose reason says
what went wrong: `redis unreachable: ...` (no connection, or one Redis refuses: wrong
password, still loading its data), `redis timeout: ...` (no answer within the client's
socket timeout), `redis no-pong: ...` (an answer other than PONG) or `redis error: ...`
(an error reply, e.g. BUSY while a script runs). Wrap it in `with_timeout` for a tighter
bound than the client's socket timeout.
"""

from platform_core.health.checks import NotReadyError, ReadinessCheck
from platform_workers.async_redis import (
    RedisClient,
    RedisConnectionError,
    RedisError,
    RedisReplyError,
    RedisTimeoutError,
)


def _reason(error: RedisError) -> str:
    if isinstance(error, RedisConnectionError):
        return f"redis unreachable: {error}"
    if isinstance(error, RedisTimeoutError):
        return f"redis timeout: {error}"
    if isinstance(error, RedisReplyError):
        return f"redis no-pong: {error}"
    return f"redis error: {error}"


def redis_ping(redis: RedisClient) -> ReadinessCheck:
    """A readiness check that PINGs `redis` once per call."""

    async def check() -> None:
        try:
            await redis.ping()
        except RedisError as exc:
            raise NotReadyError(_reason(exc)) from exc

    return check
