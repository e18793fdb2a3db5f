"""Fixtures: a real private Redis."""

from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["redis_server", "redis_url"]
