"""`DiscordRest` against the fake Discord: the calls, the rate limits, the errors."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from discord_bot.rest import (
    DiscordApiError,
    DiscordForbiddenError,
    DiscordNotFoundError,
    DiscordRest,
)
from discord_bot_testing import FakeDiscord
from platform_core.http_client import HttpSession, open_http
from platform_core.http_testing import running_server


@asynccontextmanager
async def served(fake: FakeDiscord) -> AsyncIterator[HttpSession]:
    """A session on `fake`, served on loopback (windows long enough for a loaded machine)."""
    async with (
        running_server(fake.app()) as server,
        open_http(
            f"{server.url}/api/v10", timeout_s=10.0, headers={"Authorization": "Bot test-token"}
        ) as session,
    ):
        yield session


async def test_dm_send_edit(discord: DiscordRest, fake: FakeDiscord) -> None:
    channel = await discord.open_dm(42)
    assert await discord.open_dm(42) == channel
    message = await discord.send(channel, "hello")
    await discord.edit(channel, message, "hello again")
    [shown] = fake.messages_of(42)
    assert (shown.id, shown.content) == (message, "hello again")
    assert [content for _, content in shown.history] == ["hello", "hello again"]
    assert discord.stats.requests == 4


async def test_route_limits_are_honoured_in_order() -> None:
    fake = FakeDiscord(token="test-token", route_limit=3, window_s=0.5)
    async with served(fake) as session:
        discord = DiscordRest(session)
        channel = await discord.open_dm(1)
        message = await discord.send(channel, "0")
        # 9 edits of one message at once: 3 per 0.5 s go through, in the order made.
        await asyncio.gather(*(discord.edit(channel, message, str(n)) for n in range(1, 10)))
    [shown] = fake.messages_of(1)
    assert [content for _, content in shown.history] == [str(n) for n in range(10)]
    assert fake.violations == 0
    assert discord.stats.waits >= 1
    assert fake.answered_429 == discord.stats.rate_limited


async def test_a_429_is_waited_out() -> None:
    fake = FakeDiscord(token="test-token", route_limit=2, window_s=2.0)
    async with served(fake) as session:
        # Clients that do not share the bucket headers (a fresh one per request) meet a
        # 429; the one that receives it waits `retry_after` before trying again.
        channel = await DiscordRest(session).open_dm(2)
        clients = [DiscordRest(session) for _ in range(3)]
        for n, client in enumerate(clients):
            await client.send(channel, str(n))
        assert clients[2].stats.rate_limited == 1
        assert clients[2].stats.by_route == {f"POST /channels/{channel}/messages": 1}
        fake.limit_globally(0.1)
        global_client = DiscordRest(session)
        await global_client.send(channel, "after a global limit")
        assert global_client.stats.global_limited == 1
        assert global_client.stats.requests == 2
    assert fake.violations == 0
    assert [m.content for m in fake.messages_of(2)] == ["0", "1", "2", "after a global limit"]


async def test_errors(discord: DiscordRest, fake: FakeDiscord) -> None:
    blocked = await discord.open_dm(666)
    with pytest.raises(DiscordForbiddenError, match=r"HTTP 403: .*50007"):
        await discord.send(blocked, "hi")
    with pytest.raises(DiscordNotFoundError, match="HTTP 404"):
        await discord.edit(blocked, "999", "x")
    async with (
        running_server(fake.app()) as server,
        open_http(f"{server.url}/api/v10", timeout_s=5.0) as session,
    ):
        with pytest.raises(DiscordApiError, match="POST /users/@me/channels: HTTP 401") as raised:
            await DiscordRest(session).open_dm(1)
    assert raised.value.status == 401
