"""The benchmark's HTTP/1.1 client, against qr-api on Hypercorn and against broken servers."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import h11
import pytest

from platform_core.config import load_settings
from platform_core.http_testing import RunningServer, running_server
from qr_api.app import build_app
from qr_api.settings import QrSettings
from qr_bench.http1 import Http1Connection, HttpProtocolError

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture()
async def qr_server() -> AsyncIterator[RunningServer]:
    settings = load_settings(QrSettings, {"QR_RENDER_WORKERS": "1"})
    async with running_server(build_app(settings)) as server:
        yield server


async def raw_server(handler: Handler) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port: int = server.sockets[0].getsockname()[1]
    return server, port


async def test_keep_alive_requests(qr_server: RunningServer) -> None:
    async with Http1Connection("127.0.0.1", qr_server.port) as conn:
        health = await conn.request("GET", "/healthz")
        assert conn.connected()
        image = await conn.request(
            "POST",
            "/v1/qr",
            headers=[("accept", "image/svg+xml")],
            body=b'{"url": "example.com"}',
        )
        empty = await conn.request("POST", "/v1/qr")
    assert not conn.connected()
    assert (health.status, health.body) == (200, b'{"status":"ok"}')
    assert image.status == 200
    assert image.headers["content-type"] == "image/svg+xml"
    assert image.body.startswith(b"<?xml")
    assert empty.status == 400


async def test_reconnects_after_the_server_closes() -> None:
    served = 0

    async def answer_and_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal served
        await reader.readuntil(b"\r\n\r\n")
        served += 1
        writer.write(
            b"HTTP/1.1 200 OK\r\nconnection: close\r\nset-cookie: a\r\nset-cookie: b\r\n"
            b"content-length: 2\r\n\r\nok"
        )
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    server, port = await raw_server(answer_and_close)
    async with server, Http1Connection("127.0.0.1", port) as conn:
        first = await conn.request("GET", "/")
        assert not conn.connected()
        second = await conn.request("GET", "/")
    assert (first.status, first.body, second.body) == (200, b"ok", b"ok")
    assert first.headers["set-cookie"] == "a, b"
    assert served == 2


async def test_an_early_close_is_a_protocol_error() -> None:
    async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()
        await writer.wait_closed()

    server, port = await raw_server(close_at_once)
    async with server, Http1Connection("127.0.0.1", port) as conn:
        with pytest.raises(h11.RemoteProtocolError):
            await conn.request("GET", "/")


async def test_an_unexpected_event_is_a_protocol_error() -> None:
    async def switch_protocols(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n")
        await writer.drain()
        await reader.read()
        writer.close()

    server, port = await raw_server(switch_protocols)
    async with server, Http1Connection("127.0.0.1", port) as conn:
        with pytest.raises(HttpProtocolError, match="InformationalResponse"):
            await conn.request("GET", "/")
