"""The Redis readiness check with Redis up, stopped mid-test, unreachable, mute and odd."""

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import NoReturn

import pytest

from platform_core.health.checks import NotReadyError, all_of
from platform_core.health.redis_check import redis_ping
from platform_workers.async_redis import Arg, RedisClient, open_redis
from platform_workers.testing.redis_server import RedisServer, encode_command, free_port


async def test_ready_while_redis_answers(redis_url: str) -> None:
    async with open_redis(redis_url) as redis:
        check = redis_ping(redis)
        await check()
        await check()
        assert redis.stats.round_trips == 2  # one PING per call, nothing else


async def test_not_ready_while_redis_is_stopped_then_ready_again(
    redis_server: RedisServer, redis_url: str
) -> None:
    async with open_redis(redis_url, socket_timeout_s=1.0) as redis:
        check = redis_ping(redis)
        await check()
        redis_server.kill()
        with pytest.raises(NotReadyError) as down:
            await check()
        assert down.value.reason.startswith("redis unreachable: ")
        attempts = redis.stats.round_trips
        with pytest.raises(NotReadyError, match="redis unreachable"):
            await check()
        assert redis.stats.round_trips == attempts + 1  # no retries
        redis_server.start()
        await check()


async def test_not_ready_when_nothing_listens() -> None:
    async with open_redis(f"redis://127.0.0.1:{free_port()}/0", connect_timeout_s=1.0) as redis:
        with pytest.raises(NotReadyError, match=r"^redis unreachable: "):
            await redis_ping(redis)()


@pytest.fixture()
async def mute_port() -> AsyncIterator[int]:
    """A loopback port that accepts connections and never answers."""
    accepted: list[asyncio.StreamWriter] = []

    async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)
        await asyncio.sleep(0)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    sock: socket.socket = server.sockets[0]
    port: int = sock.getsockname()[1]
    async with server:
        yield port
        for writer in accepted:
            writer.close()
            await writer.wait_closed()


async def test_not_ready_when_redis_does_not_answer_in_time(mute_port: int) -> None:
    async with open_redis(f"redis://127.0.0.1:{mute_port}/0", socket_timeout_s=0.2) as redis:
        with pytest.raises(NotReadyError, match=r"^redis timeout: "):
            await redis_ping(redis)()


async def test_a_refused_connection_is_not_ready(redis_server: RedisServer, redis_url: str) -> None:
    async with open_redis(redis_url) as redis:
        redis_server.command("CONFIG", "SET", "requirepass", "secret")
        try:
            with pytest.raises(NotReadyError, match=r"^redis unreachable: Authentication required"):
                await redis_ping(redis)()
        finally:
            redis_server.kill()  # a fresh server forgets the password
            redis_server.start()


async def test_an_error_reply_is_not_ready(redis_server: RedisServer, redis_url: str) -> None:
    redis_server.command("CONFIG", "SET", "busy-reply-threshold", "10")
    reader, writer = await asyncio.open_connection("127.0.0.1", redis_server.port)
    writer.write(encode_command("EVAL", "while true do end", "0"))  # Redis is now busy
    await writer.drain()
    try:
        busy = [redis_server.command("PING").startswith(b"-BUSY") for _ in range(3)]
        assert any(busy), "the script should be running"
        async with open_redis(redis_url) as redis:
            with pytest.raises(NotReadyError, match=r"^redis error: BUSY"):
                await redis_ping(redis)()
    finally:
        redis_server.command("SCRIPT", "KILL")
        assert (await reader.readline()).startswith(b"-")  # the script's error reply
        writer.close()
        await writer.wait_closed()


class Callbacks:
    def clear(self) -> None:
        return None


class PangRedis:
    """A raw client that answers PING with PANG (a fault a real Redis never shows)."""

    response_callbacks = Callbacks()

    async def execute_command(self, *args: Arg) -> object:
        await asyncio.sleep(0)
        return "PANG"

    def pipeline(self, transaction: bool = True) -> NoReturn:
        raise NotImplementedError

    def pubsub(self) -> NoReturn:
        raise NotImplementedError

    async def aclose(self) -> None:
        await asyncio.sleep(0)


async def test_an_answer_other_than_pong_is_not_ready() -> None:
    redis = RedisClient(PangRedis(), socket_timeout_s=1.0)
    with pytest.raises(NotReadyError, match=r"^redis no-pong: PING answered 'PANG'$"):
        await all_of(redis_ping(redis))()
