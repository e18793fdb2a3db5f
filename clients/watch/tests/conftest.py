"""A real private Redis, a client on it, and a publisher."""

from collections.abc import AsyncIterator

import pytest

from platform_core.async_events import EventPublisher
from platform_workers.async_redis import RedisClient, open_redis
from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["publisher", "redis", "redis_server", "redis_url"]


@pytest.fixture()
async def redis(redis_url: str) -> AsyncIterator[RedisClient]:
    """A client on the emptied test server."""
    async with open_redis(redis_url, socket_timeout_s=5.0) as client:
        yield client


@pytest.fixture()
def publisher(redis: RedisClient) -> EventPublisher:
    """Publishes as the services do (stream + channel, one atomic call)."""
    return EventPublisher(redis, maxlen=1_000)
