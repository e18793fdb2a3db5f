"""The benchmark's HTTP/1.1 client against a real server and a misbehaving one."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from platform_core.http_testing import running_server
from transcript_bench.http1 import Http1Client, HttpProtocolError


async def echo(request: Request) -> Response:
    body = await request.body()
    headers = {"connection": "close"} if request.query_params.get("close") else {}
    return Response(body or b"empty", status_code=201, headers=headers)


@pytest.fixture()
async def client() -> AsyncIterator[Http1Client]:
    app = Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"])])
    async with (
        running_server(app, grace_s=1.0) as server,
        Http1Client("127.0.0.1", server.port) as http,
    ):
        yield http


async def test_requests_on_one_connection(client: Http1Client) -> None:
    assert await client.request("POST", "/echo", b'{"a": 1}') == (201, b'{"a": 1}')
    assert await client.request("GET", "/echo") == (201, b"empty")
    assert await client.request("GET", "/nope") == (404, b"Not Found")


async def test_a_connection_the_server_closes_is_reopened(client: Http1Client) -> None:
    assert await client.request("GET", "/echo?close=1") == (201, b"empty")
    await client.close()  # already closed: nothing to do
    assert await client.request("GET", "/echo") == (201, b"empty")


async def test_an_unexpected_response_is_a_protocol_error() -> None:
    async def informational(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 103 Early Hints\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(informational, "127.0.0.1", 0)
    port: int = server.sockets[0].getsockname()[1]
    async with server, Http1Client("127.0.0.1", port) as http:
        with pytest.raises(HttpProtocolError, match="unexpected InformationalResponse"):
            await http.request("GET", "/")
