"""Faults a healthy Redis never produces, injected through the client's raw seam."""

from collections.abc import Awaitable, Mapping

import pytest

from platform_workers.async_redis import Arg, RedisClient, RedisReplyError, commands


class ShortPipeline:
    """A pipeline that loses a reply."""

    def execute_command(self, *args: Arg) -> object:
        return self

    async def execute(self, raise_on_error: bool = True) -> list[object]:
        return []

    async def reset(self) -> None:
        return None


class OddPubSub:
    """A subscription that delivers a message without text data."""

    async def subscribe(self, *channels: str) -> None:
        return None

    async def _message(self) -> Mapping[str, object] | None:
        return {"type": "message", "channel": "c", "data": 7}

    def get_message(
        self, ignore_subscribe_messages: bool = True, timeout: float | None = 0.0
    ) -> Awaitable[Mapping[str, object] | None]:
        return self._message()

    async def aclose(self) -> None:
        return None


class Callbacks:
    def clear(self) -> None:
        return None


class FaultyRaw:
    """A raw client that answers PING oddly and hands out the faulty parts above."""

    response_callbacks = Callbacks()

    async def execute_command(self, *args: Arg) -> object:
        return "PANG"

    def pipeline(self, transaction: bool = True) -> ShortPipeline:
        return ShortPipeline()

    def pubsub(self) -> OddPubSub:
        return OddPubSub()

    async def aclose(self) -> None:
        return None


@pytest.fixture()
def faulty() -> RedisClient:
    return RedisClient(FaultyRaw(), socket_timeout_s=1.0)


async def test_ping_without_pong_raises(faulty: RedisClient) -> None:
    with pytest.raises(RedisReplyError, match="PING answered 'PANG'"):
        await faulty.ping()


async def test_pipeline_losing_a_reply_raises(faulty: RedisClient) -> None:
    pipe = faulty.pipeline()
    pipe.add(commands.ping())
    with pytest.raises(RedisReplyError, match="1 commands, 0 replies"):
        await pipe.execute()


async def test_pub_sub_message_without_text_raises(faulty: RedisClient) -> None:
    async with faulty.subscribe("c", poll_s=0.1) as sub:
        with pytest.raises(RedisReplyError, match="unexpected pub/sub message"):
            await sub.next_message(0.1)
