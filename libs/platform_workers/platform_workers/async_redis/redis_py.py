"""redis-py, reached through the narrow shapes this package uses (async_redis's adapter).

redis-py's annotations leak `Any` (every reply is `Any`), so its modules are imported by
name, taken in as `object` and let through only once checked: the three modules against
the runtime-checkable Protocols below (the names this package calls are there), each
exception class with `isinstance`/`issubclass`. A redis-py that lacks one of them fails
at import with `RedisPyShapeError`, not at the first command. This is the target's
declared adapter (docs/bazel.md, "Adapters"): the only file of `async_redis` where a
value of unknown type comes in.
"""

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeGuard, TypeVar, runtime_checkable

from platform_workers.async_redis.commands import Arg

T = TypeVar("T")


class RedisPyShapeError(TypeError):
    """The installed redis-py lacks a name this package uses (not the locked version?)."""


class Callbacks(Protocol):
    """redis-py's reply callbacks (cleared: each Command parses its own reply)."""

    def clear(self) -> None: ...


class RawPipeline(Protocol):
    """A redis-py pipeline."""

    def execute_command(self, *args: Arg) -> object: ...
    async def execute(self, raise_on_error: bool = ...) -> list[object]: ...
    async def reset(self) -> None: ...


class RawPubSub(Protocol):
    """A redis-py pub/sub connection."""

    async def subscribe(self, *channels: str) -> None: ...
    def get_message(
        self, ignore_subscribe_messages: bool = ..., timeout: float | None = ...
    ) -> Awaitable[Mapping[str, object] | None]: ...
    async def aclose(self) -> None: ...


class RawClient(Protocol):
    """A redis-py asyncio client, as `RedisClient` uses it."""

    @property
    def response_callbacks(self) -> Callbacks: ...

    async def execute_command(self, *args: Arg) -> object: ...
    def pipeline(self, transaction: bool = ...) -> RawPipeline: ...
    def pubsub(self) -> RawPubSub: ...
    async def aclose(self) -> None: ...


class _Retry(Protocol):
    def get_retries(self) -> int: ...


@runtime_checkable
class _RetryModule(Protocol):
    Retry: Callable[[object, int], _Retry]


@runtime_checkable
class _BackoffModule(Protocol):
    NoBackoff: Callable[[], object]


@runtime_checkable
class _AsyncioModule(Protocol):
    def from_url(
        self,
        url: str,
        *,
        decode_responses: bool,
        encoding: str,
        socket_timeout: float,
        socket_connect_timeout: float,
        retry: _Retry,
        health_check_interval: float,
        protocol: int,
    ) -> RawClient: ...


def _is_asyncio_module(value: object) -> TypeGuard[_AsyncioModule]:
    return isinstance(value, _AsyncioModule)


def _is_retry_module(value: object) -> TypeGuard[_RetryModule]:
    return isinstance(value, _RetryModule)


def _is_backoff_module(value: object) -> TypeGuard[_BackoffModule]:
    return isinstance(value, _BackoffModule)


def checked_module(name: str, check: Callable[[object], TypeGuard[T]]) -> T:
    """The module `name`, once `check` accepted it; `RedisPyShapeError` when it does not."""
    module: object = importlib.import_module(name)
    if not check(module):
        raise RedisPyShapeError(f"module {name} lacks what {check.__name__} expects")
    return module


@dataclass(frozen=True, slots=True)
class RedisPyErrors:
    """redis-py's exception classes that `client.translate` maps to the platform's errors."""

    base: type[Exception]
    connection: type[Exception]
    timeout: type[Exception]
    response: type[Exception]
    no_script: type[Exception]


# `type` itself, spelled so that mypy sees no `Any` (`isinstance(v, type)` has one).
_CLASS = type(object)


def _is_exception_class(value: object) -> TypeGuard[type[Exception]]:
    return isinstance(value, _CLASS) and issubclass(value, Exception)


def _exception_class(module: object, name: str) -> type[Exception]:
    value: object = getattr(module, name, None)
    if _is_exception_class(value):
        return value
    raise RedisPyShapeError(f"{name} is not an exception class of redis-py")


def errors_of(module_name: str) -> RedisPyErrors:
    """The exception classes of `module_name` (`redis.exceptions`), each one checked."""
    module: object = importlib.import_module(module_name)
    return RedisPyErrors(
        base=_exception_class(module, "RedisError"),
        connection=_exception_class(module, "ConnectionError"),
        timeout=_exception_class(module, "TimeoutError"),
        response=_exception_class(module, "ResponseError"),
        no_script=_exception_class(module, "NoScriptError"),
    )


REDIS_PY_ERRORS = errors_of("redis.exceptions")


def raw_client(url: str, socket_timeout_s: float, connect_timeout_s: float) -> RawClient:
    """redis-py's asyncio client for `url`: raw replies, no retry, no health checks."""
    asyncio_module = checked_module("redis.asyncio", _is_asyncio_module)
    retry_module = checked_module("redis.asyncio.retry", _is_retry_module)
    backoff_module = checked_module("redis.backoff", _is_backoff_module)
    client = asyncio_module.from_url(
        url,
        decode_responses=True,
        encoding="utf-8",
        socket_timeout=socket_timeout_s,
        socket_connect_timeout=connect_timeout_s,
        retry=retry_module.Retry(backoff_module.NoBackoff(), 0),
        health_check_interval=0,
        protocol=2,
    )
    # Replies arrive raw; each Command parses its own (see reply.py).
    client.response_callbacks.clear()
    return client
