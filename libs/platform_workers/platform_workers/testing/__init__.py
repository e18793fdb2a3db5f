"""Test support for code that talks to Redis: a private redis-server per test session."""

from platform_workers.testing.redis_server import RedisServer, RedisServerError

__all__ = ["RedisServer", "RedisServerError"]
