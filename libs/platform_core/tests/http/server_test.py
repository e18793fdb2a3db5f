"""The example over real HTTP (Hypercorn on 127.0.0.1): graceful shutdown, the server binary."""

import asyncio
import io
import os
import signal
import socket
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from kit_example import Ctx, LogLines, Settings, build_example
from pydantic import JsonValue, TypeAdapter
from starlette.applications import Starlette

from platform_core.config import ConfigError
from platform_core.http import Listening, run_service, serve
from platform_core.http.server import bind_socket, hypercorn_config
from platform_core.http_testing import json_object, running_server

TIMEOUT_S = 30.0
JSON_OBJECT = TypeAdapter(dict[str, object])


def js(value: JsonValue) -> JsonValue:
    """A JSON body for httpx's untyped `json=` argument."""
    return value


async def wait_until_refused(port: int) -> None:
    """Return once nothing accepts connections on `port` any more."""
    async with asyncio.timeout(TIMEOUT_S):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except ConnectionRefusedError:
                return
            writer.close()
            await writer.wait_closed()


async def test_the_example_over_real_http(example: Starlette, logs: LogLines) -> None:
    async with running_server(example) as server, server.client() as client:
        created = await client.post("/items", json=js({"name": "pen"}))
        assert (created.status_code, json_object(created)["id"]) == (201, "1")
        missing = await client.get("/items/9", headers={"X-Request-ID": "real-1"})
        assert missing.status_code == 404
        assert json_object(missing) == {
            "code": "NOT_FOUND",
            "message": "item not found",
            "request_id": "real-1",
        }
        failed = await client.get("/boom")
        assert failed.status_code == 500
        assert json_object(failed)["request_id"] == failed.headers["x-request-id"]
        head = await client.head("/items/1")
        assert (head.status_code, head.headers["x-item-name"], head.content) == (200, "pen", b"")
        unknown = await client.get("/nope")
        assert json_object(unknown)["code"] == "NOT_FOUND"
        too_big = await client.post("/lax", content=b"x" * 100)
        assert too_big.status_code == 413

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"0123456789"

        echoed = await client.put("/raw-echo", content=chunks())
        assert echoed.content == b"0123456789" * 10
    access = logs.named("platform_core.access")
    assert [line["status"] for line in access] == [201, 404, 500, 200, 404, 413, 200]
    assert access[1]["request_id"] == "real-1"
    [listening] = logs.named("platform_core.server")[:1]
    assert listening["message"] == "listening"
    assert listening["host"] == "127.0.0.1"
    assert listening["url"] == server.url


async def test_graceful_shutdown_lets_the_request_in_flight_finish(
    example: Starlette, ctx: Ctx
) -> None:
    async with running_server(example) as server, server.client() as client:
        pending = asyncio.create_task(client.get("/slow"))
        async with asyncio.timeout(TIMEOUT_S):
            await ctx.entered.wait()
        server.shutdown.set()
        await wait_until_refused(server.port)
        assert not pending.done()
        assert "closed" not in ctx.events
        ctx.release.set()
        response = await pending
        assert response.status_code == 200
        assert json_object(response)["greeting"] == "done"
        await server.task
    assert ctx.events == ["opened for hello", "slow entered", "slow finished", "closed"]


async def test_requests_past_the_grace_period_are_cut_off(
    example: Starlette, ctx: Ctx, logs: LogLines
) -> None:
    async with running_server(example, grace_s=0.2) as server, server.client() as client:
        pending = asyncio.create_task(client.get("/slow"))
        async with asyncio.timeout(TIMEOUT_S):
            await ctx.entered.wait()
        await server.stop()
        response = await pending
    assert response.status_code == 503
    assert json_object(response) == {
        "code": "SERVICE_UNAVAILABLE",
        "message": "the request was cancelled: the server is shutting down",
        "request_id": response.headers["x-request-id"],
    }
    assert ctx.events == ["opened for hello", "slow entered", "closed"]
    [access] = logs.named("platform_core.access")
    assert access["status"] == 503
    [cancelled] = [line for line in logs.lines() if line["message"] == "request cancelled"]
    assert (cancelled["level"], cancelled["path"]) == ("WARNING", "/slow")


async def test_serve_without_a_listening_callback() -> None:
    shutdown = asyncio.Event()
    events: list[str] = []

    @asynccontextmanager
    async def life(_: Starlette) -> AsyncIterator[None]:
        events.append("started")
        shutdown.set()  # stop as soon as it runs
        yield
        events.append("stopped")

    async with asyncio.timeout(TIMEOUT_S):
        await serve(Starlette(lifespan=life), shutdown=shutdown, handle_signals=False)
    assert events == ["started", "stopped"]


def test_bind_socket_and_config() -> None:
    sock = bind_socket("127.0.0.1", 0)
    try:
        port: int = sock.getsockname()[1]
        assert port > 0
        assert sock.getblocking() is False
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S):
            accepted, _ = sock.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        sock.close()
    six = bind_socket("::1", 0)
    six.close()
    both = bind_socket("::", 0)
    try:
        both_port: int = both.getsockname()[1]
        with socket.create_connection(("127.0.0.1", both_port), timeout=TIMEOUT_S):
            pass
    finally:
        both.close()
    config = hypercorn_config(2.5)
    assert (config.graceful_timeout, config.accesslog, config.include_server_header) == (
        2.5,
        None,
        False,
    )
    assert Listening("::1", 80).url == "http://[::1]:80"
    assert Listening("127.0.0.1", 81).url == "http://127.0.0.1:81"


class WatchedStream(io.StringIO):
    """A log stream that signals when a line containing `marker` is written."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker
        self.seen = threading.Event()

    def write(self, text: str) -> int:
        """Write, and note the marker."""
        written = super().write(text)
        if self.marker in text:
            self.seen.set()
        return written

    def lines(self) -> list[dict[str, object]]:
        """The JSON lines written."""
        parsed: list[dict[str, object]] = []
        for line in self.getvalue().splitlines():
            value = JSON_OBJECT.validate_json(line)
            parsed.append(value)
        return parsed


def serve_example(settings: Settings) -> Starlette:
    """The example app for `settings`."""
    return build_example(Ctx(settings=settings))


def signal_once_listening(stream: WatchedStream, signum: int) -> None:
    """Once the server listens, send `signum` to this process (as an orchestrator would).

    The HTTP side of a signalled shutdown is tested with the server process below.
    """
    try:
        stream.seen.wait(TIMEOUT_S)
    finally:
        os.kill(os.getpid(), signum)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_service_serves_until_a_signal(signum: signal.Signals) -> None:
    stream = WatchedStream('"message":"listening"')
    helper = threading.Thread(target=signal_once_listening, args=(stream, signum))
    helper.start()
    status = run_service(
        service="example-api",
        settings=Settings,
        build=serve_example,
        environ={"HOST": "127.0.0.1", "PORT": "0", "INSTANCE_ID": "unit-1"},
        log_stream=stream,
    )
    helper.join(TIMEOUT_S)
    assert status == 0
    lines = stream.lines()
    messages = [line["message"] for line in lines]
    assert messages.index("listening") < messages.index("shutdown requested")
    assert messages[-2:] == ["service stopped", "server stopped"]
    [requested] = [line for line in lines if line["message"] == "shutdown requested"]
    assert requested["signal"] == signum.name
    assert {line["instance"] for line in lines} == {"unit-1"}
    assert {line["service"] for line in lines} == {"example-api"}


def test_run_service_refuses_a_bad_environment() -> None:
    err = io.StringIO()
    status = run_service(
        service="example-api",
        settings=Settings,
        build=serve_example,
        environ={"PORT": "eighty", "LOG_FORMAT": "xml"},
        err=err,
    )
    assert status == 2
    text = err.getvalue()
    assert text.startswith("example-api: cannot start: invalid configuration for Settings: ")
    assert "PORT is invalid: Input should be a valid integer" in text
    assert (
        "LOG_FORMAT is invalid: Input should be 'json' or 'text' (expected: json or text)" in text
    )


def failing_build(message: str) -> Callable[[Settings], Starlette]:
    """A build that finds the settings unusable."""

    def build(settings: Settings) -> Starlette:
        raise ConfigError("Settings", [message])

    return build


def test_run_service_refuses_settings_the_service_rejects() -> None:
    err = io.StringIO()
    logs = io.StringIO()
    status = run_service(
        service="example-api",
        settings=Settings,
        build=failing_build("GREETING must not be empty"),
        environ={},
        err=err,
        log_stream=logs,
    )
    assert status == 2
    assert err.getvalue() == (
        "example-api: cannot start: invalid configuration for Settings: "
        "GREETING must not be empty\n"
    )
    assert '"message":"cannot start: invalid configuration' in logs.getvalue()


def test_run_service_reports_a_port_in_use() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port: int = taken.getsockname()[1]
        stream = WatchedStream("never")
        status = run_service(
            service="example-api",
            settings=Settings,
            build=serve_example,
            environ={"HOST": "127.0.0.1", "PORT": str(port)},
            log_stream=stream,
        )
    assert status == 1
    [line] = stream.lines()
    assert line["level"] == "ERROR"
    message = line["message"]
    assert isinstance(message, str)
    assert message.startswith(f"cannot listen on 127.0.0.1:{port}: ")


def test_run_service_reports_a_failed_startup() -> None:
    def build(settings: Settings) -> Starlette:
        return build_example(Ctx(settings=settings, fail_open=True))

    stream = WatchedStream("never")
    status = run_service(
        service="example-api",
        settings=Settings,
        build=build,
        environ={"HOST": "127.0.0.1", "PORT": "0"},
        log_stream=stream,
    )
    assert status == 1
    messages = [line["message"] for line in stream.lines()]
    assert "service startup failed" in messages
    assert any(str(m).startswith("startup failed: Lifespan failure in startup") for m in messages)


def test_run_service_reports_a_failed_shutdown() -> None:
    def build(settings: Settings) -> Starlette:
        return build_example(Ctx(settings=settings, fail_close=True))

    stream = WatchedStream('"message":"listening"')
    helper = threading.Thread(target=signal_once_listening, args=(stream, signal.SIGTERM))
    helper.start()
    status = run_service(
        service="example-api",
        settings=Settings,
        build=build,
        environ={"HOST": "127.0.0.1", "PORT": "0"},
        log_stream=stream,
    )
    helper.join(TIMEOUT_S)
    assert status == 1
    messages = [str(line["message"]) for line in stream.lines()]
    assert "service shutdown failed" in messages
    assert messages[-1].startswith("shutdown failed: Lifespan failure in shutdown")


async def read_until(
    stdout: asyncio.StreamReader, seen: list[dict[str, object]], message: str
) -> dict[str, object]:
    """Read log lines from a server process until one with `message`."""
    async with asyncio.timeout(TIMEOUT_S):
        while True:
            raw = await stdout.readline()
            if not raw:
                raise AssertionError(f"the server exited before logging {message!r}: {seen}")
            line = JSON_OBJECT.validate_json(raw)
            seen.append(line)
            if line["message"] == message:
                return line


async def test_the_server_process_drains_on_sigterm() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(entry for entry in sys.path if entry),
        "HOST": "127.0.0.1",
        "PORT": "0",
        "LOG_FORMAT": "json",
        "SHUTDOWN_GRACE_S": "20",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kit_example_server", env=env, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    seen: list[dict[str, object]] = []
    try:
        listening = await read_until(process.stdout, seen, "listening")
        port = listening["port"]
        assert isinstance(port, int)
        proceed = asyncio.Event()

        async def body() -> AsyncIterator[bytes]:
            yield b"first-"
            await proceed.wait()
            yield b"second"

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            upload = asyncio.create_task(client.put("/raw-echo", content=body()))
            await read_until(process.stdout, seen, "echo started")
            process.send_signal(signal.SIGTERM)
            await read_until(process.stdout, seen, "shutdown requested")
            await wait_until_refused(port)
            proceed.set()
            response = await upload
        assert (response.status_code, response.content) == (200, b"first-second")
        async with asyncio.timeout(TIMEOUT_S):
            assert await process.wait() == 0
        rest = await process.stdout.read()
        for raw in rest.splitlines():
            line = JSON_OBJECT.validate_json(raw)
            seen.append(line)
        messages = [line["message"] for line in seen]
        assert messages.index("request") > messages.index("shutdown requested")
        assert messages[-2:] == ["service stopped", "server stopped"]
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
