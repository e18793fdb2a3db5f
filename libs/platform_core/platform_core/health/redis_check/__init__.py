"""The Redis readiness check (Bazel target `//libs/platform_core:health_redis`).

A service lists `redis_ping(ctx.redis)` among its readiness checks.
"""

from platform_core.health.redis_check.ping import redis_ping

__all__ = ["redis_ping"]
