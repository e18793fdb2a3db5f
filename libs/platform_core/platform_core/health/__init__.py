"""Liveness and readiness: `/healthz`, `/readyz` and the readiness check type.

A readiness check is any `async def check() -> None` that returns when its dependency
is usable and raises `NotReadyError("redis no-pong")` when it is not; the reason is what
`/readyz` reports. Checks run in order and the first failure wins; nothing retries.
Owners of a dependency ship its check (Redis PING next to `async_redis`, the live-worker
check next to `async_queue`); a service lists its checks in `create_app(readiness=...)`.
"""

from platform_core.health.checks import NotReadyError, ReadinessCheck, all_of, with_timeout
from platform_core.health.routes import (
    Liveness,
    Readiness,
    health_routes,
    readiness,
)

__all__ = [
    "Liveness",
    "NotReadyError",
    "Readiness",
    "ReadinessCheck",
    "all_of",
    "health_routes",
    "readiness",
    "with_timeout",
]
