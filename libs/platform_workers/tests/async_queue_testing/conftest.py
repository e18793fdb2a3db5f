"""A real private Redis for these tests, and a client on it."""

from collections.abc import AsyncIterator

import pytest

from platform_workers.async_redis import RedisClient, open_redis
from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["redis", "redis_server", "redis_url"]


@pytest.fixture()
async def redis(redis_url: str) -> AsyncIterator[RedisClient]:
    """A client on the emptied test server."""
    async with open_redis(redis_url, socket_timeout_s=2.0) as client:
        yield client
