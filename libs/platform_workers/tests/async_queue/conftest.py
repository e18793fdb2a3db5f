"""Fixtures: a real private Redis, a client on it, the test domain's queue and events."""

from collections.abc import AsyncIterator

import pytest

from platform_core.async_events import Domain
from platform_workers.async_queue import Queue
from platform_workers.async_queue_testing import Events
from platform_workers.async_redis import RedisClient, open_redis
from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["events", "queue", "redis", "redis_server", "redis_url"]

DOMAIN: Domain = "tours"


@pytest.fixture()
async def redis(redis_url: str) -> AsyncIterator[RedisClient]:
    """A client on the emptied test server."""
    async with open_redis(redis_url, socket_timeout_s=2.0) as client:
        yield client


@pytest.fixture()
def queue(redis: RedisClient) -> Queue:
    """The test domain's queue."""
    return Queue(redis, DOMAIN)


@pytest.fixture()
def events(redis: RedisClient) -> Events:
    """The test domain's events, from the beginning."""
    return Events(redis, DOMAIN)
