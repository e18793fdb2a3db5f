"""The HTTP/1.1 client against Hypercorn, and against raw servers for what Hypercorn never
sends (informational answers, trailers, broken framing)."""

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from platform_core.http_testing import RunningServer
from platform_core.loadgen import LOOPBACK, Http1Connection, HttpProtocolError
from platform_core.loadgen.http1 import parse_head

OK = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


@asynccontextmanager
async def scripted(*answers: bytes) -> AsyncIterator[int]:
    """A raw server (for what Hypercorn never sends) whose connections answer their n-th
    request head with `answers[n]` and close after the last answer; its port."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for answer in answers:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(answer)
            await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(handle, LOOPBACK, 0)
    port: int = server.sockets[0].getsockname()[1]
    async with server:
        yield port


async def test_keep_alive_requests_share_one_connection(served: RunningServer) -> None:
    async with Http1Connection(LOOPBACK, served.port) as conn:
        await conn.connect()
        first = await conn.request("POST", "/echo", headers=[("x-a", "1")], body=b"hello")
        await conn.connect()  # already open: the same connection
        empty = await conn.request("POST", "/echo")
        put = await conn.request("PUT", "/echo", body=b"")
        got = await conn.request("GET", "/echo")
        assert conn.connected()
    assert not conn.connected()
    assert (first.status, first.body, empty.body, put.body, got.body) == (
        201,
        b"hello",
        b"",
        b"",
        b"",
    )
    ports = {r.headers["x-client-port"] for r in (first, empty, put, got)}
    assert len(ports) == 1


async def test_head_no_content_and_chunked_bodies(served: RunningServer) -> None:
    async with Http1Connection(LOOPBACK, served.port) as conn:
        head = await conn.request("HEAD", "/ping")
        no_content = await conn.request("GET", "/status?code=204")
        streamed = await conn.request("GET", "/chunks")
        after = await conn.request("GET", "/ping")
    assert (head.status, head.headers["content-length"], head.body) == (200, "4", b"")
    assert (no_content.status, no_content.body) == (204, b"")
    assert streamed.headers["transfer-encoding"] == "chunked"
    assert streamed.body == b"one,two,three"
    assert after.body == b"pong"


async def test_a_connection_the_server_closes_is_opened_again(served: RunningServer) -> None:
    async with Http1Connection(LOOPBACK, served.port) as conn:
        bye = await conn.request("GET", "/closing")
        assert not conn.connected()
        await conn.close()  # nothing open: nothing to do
        again = await conn.request("GET", "/ping")
        assert conn.connected()
    assert (bye.body, again.body) == (b"bye", b"pong")


async def test_large_bodies_streamed_both_ways(served: RunningServer, tmp_path: Path) -> None:
    content = bytes(range(256)) * 20_000  # 5 MB
    source = tmp_path / "source"
    source.write_bytes(b"skip" + content)
    async with Http1Connection(LOOPBACK, served.port, buffer_bytes=65536) as conn:
        with source.open("rb") as file:
            file.seek(4)
            await conn.send_head("POST", "/digest", content_length=2 + len(content) + 1, body=b"<<")
            await conn.send_file(file, len(content))
            await conn.send(b">")
            head = await conn.read_head()
            answer = await conn.read_body(head)
        await conn.send_head("GET", f"/sized?size={len(content)}")
        download = await conn.read_head()
        size = await conn.discard_body(download)
        await conn.send_head("GET", "/chunks")
        counted = await conn.discard_body(await conn.read_head())
    expected = hashlib.sha256(b"<<" + content + b">").hexdigest()
    assert answer.decode() == f"{len(content) + 3} {expected}"
    assert (download.status, download.length, size) == (200, len(content), len(content))
    assert counted == len(b"one,two,three")


async def test_send_waits_while_the_server_does_not_read(served: RunningServer) -> None:
    block = b"y" * (16 * 1024 * 1024)
    async with Http1Connection(LOOPBACK, served.port) as conn:
        await conn.send_head("POST", "/digest", content_length=len(block))
        await conn.send(block)
        answer = await conn.read_body(await conn.read_head())
    assert answer.decode() == f"{len(block)} {hashlib.sha256(block).hexdigest()}"


async def test_bodies_until_close_trailers_and_http_1_0() -> None:
    until_close = b"HTTP/1.1 200 OK\r\nx-a: 1\r\nx-a: 2\r\n\r\nall of it"
    chunked = (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        b"3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: t\r\n\r\n"
    )
    old = b"HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok"
    kept = b"HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 2\r\n\r\nok"
    async with scripted(chunked, kept, old) as port, Http1Connection(LOOPBACK, port) as conn:
        first = await conn.request("GET", "/")
        second = await conn.request("GET", "/")
        assert conn.connected()
        third = await conn.request("GET", "/")
        assert not conn.connected()
    assert (first.body, second.body, third.body) == (b"abcde", b"ok", b"ok")
    async with scripted(until_close) as port, Http1Connection(LOOPBACK, port) as conn:
        await conn.send_head("GET", "/")
        head = await conn.read_head()
        assert (head.length, head.chunked, head.close) == (None, False, True)
        assert head.headers["x-a"] == "1, 2"
        assert await conn.discard_body(head) == len(b"all of it")
        assert not conn.connected()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n", "informational response 103"),
        (b"SPDY/3 200 OK\r\n\r\n", "not an HTTP/1.x status line"),
        (b"HTTP/1.1 2x0 OK\r\n\r\n", "not an HTTP/1.x status line"),
        (b"HTTP/1.1 20\r\n\r\n", "not an HTTP/1.x status line"),
        (b"HTTP/1.1 200 OK\r\nbroken\r\n\r\n", "a header line without a colon"),
        (b"HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n", "an invalid Content-Length"),
        (b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nshort", "closed the connection"),
        (b"HTTP/1.1 200 OK\r\ncontent-le", "closed the connection mid-response"),
        (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n", "chunk size line"),
        (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabXY", "not followed by"),
        (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n9\r\nab", "closed the conn"),
    ],
)
async def test_broken_answers_raise_and_drop_the_connection(answer: bytes, message: str) -> None:
    async with scripted(answer) as port, Http1Connection(LOOPBACK, port) as conn:
        with pytest.raises(HttpProtocolError, match=message):
            await conn.request("GET", "/")
        assert not conn.connected()


async def test_a_body_cut_short_while_discarding() -> None:
    answer = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly ten b"
    async with scripted(answer) as port, Http1Connection(LOOPBACK, port) as conn:
        await conn.send_head("GET", "/")
        head = await conn.read_head()
        with pytest.raises(HttpProtocolError, match=r"\(0 bytes of the part read\)"):
            await conn.discard_body(head)
        assert not conn.connected()


async def test_nothing_to_read_without_a_connection() -> None:
    conn = Http1Connection(LOOPBACK, 9)
    with pytest.raises(HttpProtocolError, match=r"no connection to 127\.0\.0\.1:9 is open"):
        await conn.read_head()


async def test_a_cancelled_read_drops_the_connection() -> None:
    arrived, never = asyncio.Event(), asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        arrived.set()
        await never.wait()
        writer.close()

    server = await asyncio.start_server(hold, LOOPBACK, 0)
    port: int = server.sockets[0].getsockname()[1]
    async with server, Http1Connection(LOOPBACK, port) as conn:
        waiting = asyncio.create_task(conn.request("GET", "/"))
        await arrived.wait()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert not conn.connected()
        never.set()


def test_parse_head_frames_by_method_and_status() -> None:
    raw = b"HTTP/1.1 304 Not Modified\r\netag: x\r\n\r\n"
    assert parse_head("GET", raw).length == 0
    assert parse_head("HEAD", OK[:-2]).length == 0
    assert parse_head("GET", OK[:-2]).length == 2
