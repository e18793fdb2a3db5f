"""The test helpers: lifespan, in-process client, real server on loopback."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from hypercorn.utils import LifespanFailureError
from pydantic import JsonValue
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from platform_core.http_testing import (
    LifespanError,
    app_client,
    http_client,
    json_at,
    json_object,
    lifespan,
    running_server,
)


def bare_app(events: list[str], *, fail: str | None = None) -> Starlette:
    """A Starlette app that records its lifecycle (and fails at `fail`)."""

    @asynccontextmanager
    async def life(_: Starlette) -> AsyncIterator[None]:
        if fail == "startup":
            raise RuntimeError("no database")
        events.append("started")
        yield
        events.append("stopped")
        if fail == "shutdown":
            raise RuntimeError("flush failed")

    async def hello(_: Request) -> Response:
        return PlainTextResponse("hello")

    return Starlette(routes=[Route("/", hello)], lifespan=life)


async def test_lifespan_runs_startup_then_shutdown() -> None:
    events: list[str] = []
    async with lifespan(bare_app(events)):
        assert events == ["started"]
    assert events == ["started", "stopped"]


async def test_lifespan_failures_raise() -> None:
    with pytest.raises(LifespanError, match=r"(?s)startup failed: .*no database"):
        async with lifespan(bare_app([], fail="startup")):
            pytest.fail("started")
    with pytest.raises(LifespanError, match=r"(?s)shutdown failed: .*flush failed"):
        async with lifespan(bare_app([], fail="shutdown")):
            pass


async def test_lifespan_of_an_app_that_never_answers() -> None:
    async def silent(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.Event().wait()

    with pytest.raises(TimeoutError):
        async with lifespan(silent, timeout_s=0.01):
            pytest.fail("started")


async def test_lifespan_of_an_app_that_returns_at_once() -> None:
    async def unsupported(scope: Scope, receive: Receive, send: Send) -> None:
        message: Message = {"type": "lifespan.startup.failed", "message": "no lifespan here"}
        await send(message)

    with pytest.raises(LifespanError, match="startup failed: no lifespan here"):
        async with lifespan(unsupported):
            pytest.fail("started")


async def test_app_client_in_process() -> None:
    events: list[str] = []
    async with app_client(bare_app(events)) as client:
        assert (await client.get("/")).text == "hello"
        assert str(client.base_url) == "http://testserver"
    assert events == ["started", "stopped"]
    async with app_client(bare_app(events), run_lifespan=False, base_url="http://x") as client:
        assert (await client.get("/")).text == "hello"
    assert events == ["started", "stopped"]


async def test_running_server_over_loopback() -> None:
    events: list[str] = []
    async with running_server(bare_app(events)) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        async with server.client() as client:
            assert (await client.get("/")).text == "hello"
        async with http_client(server.url) as client:
            assert (await client.get("/")).status_code == 200
        assert events == ["started"]
    assert events == ["started", "stopped"]
    assert server.task.done()


async def test_running_server_can_be_stopped_inside_the_block() -> None:
    events: list[str] = []
    async with running_server(bare_app(events)) as server:
        await server.stop()
        assert events == ["started", "stopped"]


async def test_running_server_startup_failure() -> None:
    with pytest.raises(LifespanFailureError, match="no database"):
        async with running_server(bare_app([], fail="startup")):
            pytest.fail("started")


async def test_running_server_needs_lifespan_support() -> None:
    async def refuses(scope: Scope, receive: Receive, send: Send) -> None:
        kind: str = scope["type"]
        assert kind == "lifespan"
        raise RuntimeError("lifespan not supported")

    with pytest.raises(TimeoutError):
        async with running_server(refuses, timeout_s=0.5):
            pytest.fail("started")


async def test_running_server_whose_startup_never_ends() -> None:
    entered = asyncio.Event()

    async def stuck(scope: Scope, receive: Receive, send: Send) -> None:
        entered.set()
        await asyncio.Event().wait()

    # Not Hypercorn's LifespanTimeoutError after its own startup timeout (60 s).
    with pytest.raises(TimeoutError):
        async with running_server(stuck, timeout_s=0.2):
            pytest.fail("started")
    assert entered.is_set()


async def test_json_object_reads_objects_only() -> None:
    async def json_app(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        body = b'{"a": [1, {"b": null}]}' if path == "/object" else b"[1]"
        no_headers: list[tuple[bytes, bytes]] = []
        start: Message = {"type": "http.response.start", "status": 200, "headers": no_headers}
        await send(start)
        done: Message = {"type": "http.response.body", "body": body}
        await send(done)

    async with app_client(json_app, run_lifespan=False) as client:
        assert json_object(await client.get("/object")) == {"a": [1, {"b": None}]}
        with pytest.raises(ValueError, match="Input should be an object"):
            json_object(await client.get("/list"))


def test_json_at_digs_into_objects_and_names_what_is_not_one() -> None:
    document: dict[str, JsonValue] = {"a": {"b": [1, 2]}, "c": 3}
    assert json_at(document, "a", "b") == [1, 2]
    assert json_at(document) == document
    with pytest.raises(KeyError):
        json_at(document, "a", "x")
    with pytest.raises(TypeError, match="expected a JSON object at 'd', got int"):
        json_at(document, "c", "d")
