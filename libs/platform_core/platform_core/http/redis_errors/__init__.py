"""The row of an app's error table for a Redis failure behind a route (`:http_redis`).

    create_app(..., errors=[STORE_UNAVAILABLE, ...])

A `RedisError` (connection refused or lost, a timeout, an error reply) while a handler
enqueues or reads a job is the job store being unavailable: 503 `SERVICE_UNAVAILABLE`
"job store unavailable: <what failed>", an outage rather than our bug (no 500). Redis
calls are bounded by the client's socket timeout, so the answer never hangs.
"""

from platform_core.errors import AppError, ErrorCode
from platform_core.http import ErrorRule, maps
from platform_workers.async_redis import RedisError

__all__ = ["STORE_UNAVAILABLE", "store_unavailable"]


def store_unavailable(exc: RedisError) -> AppError:
    """503 for a Redis failure behind a route."""
    return AppError(ErrorCode.SERVICE_UNAVAILABLE, f"job store unavailable: {exc}")


STORE_UNAVAILABLE: ErrorRule = maps(RedisError, store_unavailable)
"""`RedisError` -> 503 `SERVICE_UNAVAILABLE` "job store unavailable: ..."."""
