"""fetch_stream over real HTTP (Hypercorn on loopback) and over an ASGI transport."""

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from platform_core.http_fetch import (
    FetchStatusError,
    FetchTimeoutError,
    FetchUnavailableError,
    fetch_stream,
)
from platform_core.http_testing import running_server

BODY = bytes(range(256)) * 1000


async def whole(_: Request) -> Response:
    return Response(BODY, media_type="application/octet-stream")


async def streamed(_: Request) -> StreamingResponse:
    async def parts() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"abc"

    return StreamingResponse(parts(), media_type="text/plain")


async def stalls(_: Request) -> StreamingResponse:
    async def parts() -> AsyncIterator[bytes]:
        yield b"first"
        await asyncio.sleep(5)
        yield b"never"

    return StreamingResponse(parts(), media_type="text/plain")


async def slow_head(_: Request) -> Response:
    await asyncio.sleep(5)
    return Response(b"late")


async def missing(_: Request) -> Response:
    return Response(b"gone", status_code=404)


async def moved(_: Request) -> RedirectResponse:
    return RedirectResponse("/whole")


async def echo_header(request: Request) -> Response:
    return Response(request.headers.get("x-probe", "").encode())


APP = Starlette(
    routes=[
        Route("/whole", whole),
        Route("/streamed", streamed),
        Route("/stalls", stalls),
        Route("/slow", slow_head),
        Route("/missing", missing),
        Route("/moved", moved),
        Route("/header", echo_header),
    ]
)


async def read_all(url: str, timeout_s: float = 30.0) -> tuple[bytes, int | None, list[int]]:
    sizes: list[int] = []
    data = b""
    async with fetch_stream(url, chunk_bytes=1000, timeout_s=timeout_s) as body:
        async for chunk in body.chunks:
            sizes.append(len(chunk))
            data += chunk
        return data, body.content_length, sizes


async def test_streams_the_body_in_bounded_chunks() -> None:
    async with running_server(APP, grace_s=0.5) as server:
        data, length, sizes = await read_all(f"{server.url}/whole")
    assert data == BODY
    assert length == len(BODY)
    assert max(sizes) <= 1000


async def test_chunked_answer_has_no_length_and_redirects_are_followed() -> None:
    async with running_server(APP, grace_s=0.5) as server:
        data, length, _ = await read_all(f"{server.url}/streamed")
        moved_data, _, _ = await read_all(f"{server.url}/moved")
    assert (data, length) == (b"abcabcabc", None)
    assert moved_data == BODY


async def test_error_status_raises_with_the_status() -> None:
    async with running_server(APP, grace_s=0.5) as server:
        with pytest.raises(FetchStatusError) as caught:
            await read_all(f"{server.url}/missing")
    assert caught.value.status == 404
    assert str(caught.value) == f"GET {server.url}/missing: HTTP 404"


async def test_a_server_that_stops_sending_times_out() -> None:
    async with running_server(APP, grace_s=0.5) as server:
        with pytest.raises(FetchTimeoutError, match="while reading"):
            await read_all(f"{server.url}/stalls", timeout_s=0.3)
        with pytest.raises(FetchTimeoutError, match=r"timed out$"):
            await read_all(f"{server.url}/slow", timeout_s=0.3)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_refused_connection_is_unavailable() -> None:
    with pytest.raises(FetchUnavailableError, match="ConnectError"):
        await read_all(f"http://127.0.0.1:{free_port()}/x")


class Breaks(httpx.AsyncBaseTransport):
    """A transport whose body fails after the first chunk (a lost connection)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            yield b"part"
            raise httpx.ReadError("connection lost")

        return httpx.Response(200, content=body())


async def drain(body: AsyncIterator[bytes]) -> list[bytes]:
    return [chunk async for chunk in body]


async def test_a_lost_connection_while_reading_is_unavailable() -> None:
    async with fetch_stream("http://fake/x", transport=Breaks()) as body:
        with pytest.raises(FetchUnavailableError, match="connection lost"):
            await drain(body.chunks)


async def test_headers_are_sent_and_chunk_size_is_checked() -> None:
    transport = httpx.ASGITransport(APP)
    async with fetch_stream(
        "http://app/header", headers={"X-Probe": "yes"}, transport=transport
    ) as body:
        assert [chunk async for chunk in body.chunks] == [b"yes"]
    with pytest.raises(ValueError, match="chunk_bytes"):
        async with fetch_stream("http://app/header", chunk_bytes=0):
            pass
