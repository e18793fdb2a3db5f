"""Fixtures of the test-support tests: a real Redis for the server processes."""

from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["redis_server", "redis_url"]
