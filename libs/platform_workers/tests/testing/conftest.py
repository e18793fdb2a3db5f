"""Fixtures for these tests: the Redis test plugin under test."""

from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["redis_server", "redis_url"]
