"""The typed async Redis client: the platform's one way to talk to Redis.

`open_redis(url)` builds a `RedisClient` on redis-py's asyncio client, reached
through the narrow Protocols below (the only place redis-py is touched). Every
command goes through one seam, `RedisClient.run` (or `Pipeline.execute` for
many commands in one round trip), which translates redis-py's exceptions into
this package's errors and parses the reply into the command's type. Nothing
retries: redis-py's retry is switched off, and a failure is raised.
"""

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Generic, Self, TypeVar

from platform_workers.async_redis import commands as c
from platform_workers.async_redis.errors import (
    RedisCommandError,
    RedisConnectionError,
    RedisError,
    RedisReplyError,
    RedisScriptMissingError,
    RedisTimeoutError,
)
from platform_workers.async_redis.redis_py import (
    REDIS_PY_ERRORS,
    RawClient,
    RawPubSub,
    raw_client,
)
from platform_workers.async_redis.reply import (
    AutoClaimed,
    PendingEntry,
    PendingSummary,
    Reply,
    StreamBatch,
    StreamEntry,
    to_reply,
)

T = TypeVar("T")

DEFAULT_SOCKET_TIMEOUT_S = 5.0
DEFAULT_CONNECT_TIMEOUT_S = 2.0


# --- error translation --------------------------------------------------------------


def translate(exc: Exception) -> RedisError:
    """The platform error for a redis-py exception."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, REDIS_PY_ERRORS.timeout):
        return RedisTimeoutError(message)
    if isinstance(exc, REDIS_PY_ERRORS.connection):
        return RedisConnectionError(message)
    if isinstance(exc, REDIS_PY_ERRORS.no_script):
        return RedisScriptMissingError(message)
    if isinstance(exc, REDIS_PY_ERRORS.response):
        return RedisCommandError(message)
    return RedisError(message)


async def _guarded(call: Awaitable[T]) -> T:
    try:
        return await call
    except REDIS_PY_ERRORS.base as exc:
        raise translate(exc) from exc


# --- the client ---------------------------------------------------------------------


@dataclass(slots=True)
class ClientStats:
    """Round trips and commands sent by one client (benchmarks report them)."""

    round_trips: int = 0
    commands: int = 0


class Pending(Generic[T]):
    """The result of a command queued on a pipeline, available after `execute()`."""

    def __init__(self, command: c.Command[T]) -> None:
        self._command = command
        self._result: tuple[T] | None = None

    @property
    def value(self) -> T:
        """The parsed reply."""
        if self._result is None:
            raise RedisError(f"{self._command.name} has not been executed")
        return self._result[0]

    def resolve(self, raw: object) -> None:
        """Parse the reply (called by the pipeline)."""
        self._result = (self._command.parse(to_reply(raw)),)


class Pipeline:
    """Commands sent together in one round trip; `transaction=True` wraps them in MULTI/EXEC."""

    def __init__(self, client: "RedisClient", *, transaction: bool) -> None:
        self._client = client
        self._transaction = transaction
        self._queued: list[tuple[str, tuple[c.Arg, ...], Callable[[object], None]]] = []

    def add(self, command: c.Command[T]) -> Pending[T]:
        """Queue a command; its result is on the returned handle after `execute()`."""
        pending = Pending(command)
        self._queued.append((command.name, command.args, pending.resolve))
        return pending

    def __len__(self) -> int:
        return len(self._queued)

    async def execute(self) -> None:
        """Send every queued command; raise the first command error (all replies are parsed)."""
        if not self._queued:
            return
        raw = self._client.raw.pipeline(transaction=self._transaction)
        for _, args, _ in self._queued:
            raw.execute_command(*args)
        self._client.stats.round_trips += 1
        self._client.stats.commands += len(self._queued)
        results = await _guarded(raw.execute(raise_on_error=False))
        if len(results) != len(self._queued):
            raise RedisReplyError(f"{len(self._queued)} commands, {len(results)} replies")
        first_error: RedisError | None = None
        for (name, _, resolve), result in zip(self._queued, results, strict=True):
            if isinstance(result, REDIS_PY_ERRORS.base):
                first_error = first_error or RedisCommandError(f"{name}: {result}")
                continue
            resolve(result)
        self._queued.clear()
        if first_error is not None:
            raise first_error


@dataclass(frozen=True, slots=True)
class Script:
    """A Lua script, run by SHA1 (EVALSHA) and sent in full only when Redis lacks it."""

    source: str
    sha: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha", hashlib.sha1(self.source.encode()).hexdigest())


@dataclass(frozen=True, slots=True)
class Message:
    """A pub/sub message."""

    channel: str
    data: str


class Subscription:
    """A pub/sub subscription: `async with redis.subscribe("a") as sub: async for m in sub: ...`."""

    def __init__(self, raw: RawPubSub, channels: tuple[str, ...], poll_s: float) -> None:
        self._raw = raw
        self._channels = channels
        self._poll_s = poll_s

    async def __aenter__(self) -> Self:
        await _guarded(self._raw.subscribe(*self._channels))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await _guarded(self._raw.aclose())

    async def next_message(self, timeout_s: float) -> Message | None:
        """The next message, or None if none came within `timeout_s` (< the socket timeout)."""
        raw = await _guarded(
            self._raw.get_message(ignore_subscribe_messages=True, timeout=timeout_s)
        )
        if raw is None:
            return None
        channel, data = raw.get("channel"), raw.get("data")
        if not isinstance(channel, str) or not isinstance(data, str):
            raise RedisReplyError(f"unexpected pub/sub message {dict(raw)!r}")
        return Message(channel, data)

    async def __aiter__(self) -> AsyncIterator[Message]:
        while True:
            message = await self.next_message(self._poll_s)
            if message is not None:
                yield message


class RedisClient:
    """Typed async Redis: `await client.run(command)` or the convenience methods.

    Use as an async context manager (`async with open_redis(url) as redis:`) or
    call `close()`. Blocking reads must block for less than the socket timeout.
    """

    def __init__(self, raw: RawClient, *, socket_timeout_s: float) -> None:
        self.raw = raw
        self.socket_timeout_s = socket_timeout_s
        self.stats = ClientStats()

    async def run(self, command: c.Command[T]) -> T:
        """Send one command and parse its reply."""
        self.stats.round_trips += 1
        self.stats.commands += 1
        value = await _guarded(self.raw.execute_command(*command.args))
        return command.parse(to_reply(value))

    def pipeline(self, *, transaction: bool = True) -> Pipeline:
        """A pipeline (MULTI/EXEC when `transaction`, the default)."""
        return Pipeline(self, transaction=transaction)

    def subscribe(self, *channels: str, poll_s: float = 1.0) -> Subscription:
        """Subscribe to channels (use as an async context manager)."""
        if not channels:
            raise ValueError("subscribe needs at least one channel")
        if poll_s >= self.socket_timeout_s:
            raise ValueError("poll_s must be below the socket timeout")
        return Subscription(self.raw.pubsub(), channels, poll_s)

    async def eval_script(self, script: Script, keys: list[str], args: list[c.Arg]) -> Reply:
        """Run a script by SHA1; when Redis does not have it yet (NOSCRIPT), send it in full."""
        try:
            return await self.run(c.evalsha(script.sha, keys, args))
        except RedisScriptMissingError:
            return await self.run(c.eval_(script.source, keys, args))

    async def ping(self) -> None:
        """PING; raises unless Redis answers PONG."""
        answer = await self.run(c.ping())
        if answer != "PONG":
            raise RedisReplyError(f"PING answered {answer!r}")

    async def close(self) -> None:
        """Close the connections."""
        await _guarded(self.raw.aclose())

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # --- convenience: one line per command, all through run() -----------------------

    async def get(self, key: str) -> str | None:
        """GET."""
        return await self.run(c.get(key))

    async def set(self, key: str, value: c.Arg, *, px: int | None = None, nx: bool = False) -> bool:
        """SET [PX] [NX]; False only when NX found the key."""
        return await self.run(c.set_(key, value, px=px, nx=nx))

    async def delete(self, *keys: str) -> int:
        """DEL."""
        return await self.run(c.delete(*keys))

    async def hset(self, key: str, mapping: Mapping[str, c.Arg]) -> int:
        """HSET."""
        return await self.run(c.hset(key, mapping))

    async def hget(self, key: str, field: str) -> str | None:
        """HGET."""
        return await self.run(c.hget(key, field))

    async def hgetall(self, key: str) -> dict[str, str]:
        """HGETALL."""
        return await self.run(c.hgetall(key))

    async def publish(self, channel: str, message: str) -> int:
        """PUBLISH."""
        return await self.run(c.publish(channel, message))

    async def xadd(
        self, stream: str, fields: Mapping[str, c.Arg], *, maxlen: int | None = None
    ) -> str:
        """XADD (approximate MAXLEN when given)."""
        return await self.run(c.xadd(stream, fields, maxlen=maxlen))

    async def xread(
        self, streams: Mapping[str, str], *, count: int | None = None, block_ms: int | None = None
    ) -> list[StreamBatch]:
        """XREAD."""
        self._check_block(block_ms)
        return await self.run(c.xread(streams, count=count, block_ms=block_ms))

    async def xreadgroup(
        self,
        group: str,
        consumer: str,
        streams: Mapping[str, str],
        *,
        count: int | None = None,
        block_ms: int | None = None,
    ) -> list[StreamBatch]:
        """XREADGROUP."""
        self._check_block(block_ms)
        return await self.run(
            c.xreadgroup(group, consumer, streams, count=count, block_ms=block_ms)
        )

    async def xrange(self, stream: str, start: str = "-", end: str = "+") -> list[StreamEntry]:
        """XRANGE."""
        return await self.run(c.xrange(stream, start, end))

    async def xautoclaim(
        self, stream: str, group: str, consumer: str, min_idle_ms: int, start: str = "0-0"
    ) -> AutoClaimed:
        """XAUTOCLAIM."""
        return await self.run(c.xautoclaim(stream, group, consumer, min_idle_ms, start=start))

    async def xpending_summary(self, stream: str, group: str) -> PendingSummary:
        """XPENDING summary."""
        return await self.run(c.xpending_summary(stream, group))

    async def xpending(self, stream: str, group: str, *, count: int) -> list[PendingEntry]:
        """XPENDING extended form."""
        return await self.run(c.xpending(stream, group, count=count))

    def _check_block(self, block_ms: int | None) -> None:
        if block_ms is not None and block_ms >= self.socket_timeout_s * 1000:
            raise ValueError(
                f"BLOCK {block_ms} ms would outlast the socket timeout "
                f"({self.socket_timeout_s} s); block for less"
            )


def open_redis(
    url: str,
    *,
    socket_timeout_s: float = DEFAULT_SOCKET_TIMEOUT_S,
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
) -> RedisClient:
    """A client for `url` (`redis://host:port/db`); connects on first use."""
    return RedisClient(
        raw_client(url, socket_timeout_s, connect_timeout_s), socket_timeout_s=socket_timeout_s
    )
