"""A real private Redis, the fake Discord served on loopback, a `DiscordRest` on it."""

from collections.abc import AsyncIterator

import pytest

from discord_bot.rest import DiscordRest
from discord_bot_testing import FakeDiscord
from platform_core.http_client import open_http
from platform_core.http_testing import running_server
from platform_workers.async_redis import RedisClient, open_redis
from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["TOKEN", "discord", "fake", "redis", "redis_server", "redis_url"]

TOKEN = "test-token"


@pytest.fixture()
async def redis(redis_url: str) -> AsyncIterator[RedisClient]:
    """A client on the emptied test server."""
    async with open_redis(redis_url, socket_timeout_s=5.0) as client:
        yield client


@pytest.fixture()
def fake() -> FakeDiscord:
    """The fake's state: 5 requests per route per 0.2 s; user 666 does not accept DMs."""
    return FakeDiscord(token=TOKEN, route_limit=5, window_s=0.2, blocked=frozenset({666}))


@pytest.fixture()
async def discord(fake: FakeDiscord) -> AsyncIterator[DiscordRest]:
    """A `DiscordRest` on the fake, served by Hypercorn on 127.0.0.1."""
    async with (
        running_server(fake.app()) as server,
        open_http(
            f"{server.url}/api/v10", timeout_s=5.0, headers={"Authorization": f"Bot {TOKEN}"}
        ) as session,
    ):
        yield DiscordRest(session)
