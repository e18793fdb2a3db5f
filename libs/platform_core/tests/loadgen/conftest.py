"""The server the load generator's tests talk to over loopback: `served`, a Starlette app
on real Hypercorn (`running_server`)."""

import hashlib
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from platform_core.http_testing import RunningServer, running_server


async def ping(_: Request) -> Response:
    return Response(b"pong")


async def echo(request: Request) -> Response:
    """The body back, with the client's port (one connection or several?)."""
    port = request.client.port if request.client is not None else 0
    return Response(await request.body(), 201, headers={"x-client-port": str(port)})


async def digest(request: Request) -> Response:
    """The size and SHA-256 of a streamed request body."""
    hashed = hashlib.sha256()
    size = 0
    async for chunk in request.stream():
        hashed.update(chunk)
        size += len(chunk)
    return Response(f"{size} {hashed.hexdigest()}".encode())


async def sized(request: Request) -> Response:
    return Response(b"x" * int(request.query_params["size"]))


async def chunks(_: Request) -> StreamingResponse:
    async def parts() -> AsyncIterator[bytes]:
        for part in (b"one,", b"two,", b"three"):
            yield part

    return StreamingResponse(parts())


async def closing(_: Request) -> Response:
    return Response(b"bye", headers={"connection": "close"})


async def status(request: Request) -> Response:
    return Response(b"", int(request.query_params["code"]))


def app() -> Starlette:
    """The routes the tests call."""
    return Starlette(
        routes=[
            Route("/ping", ping, methods=["GET", "HEAD"]),
            Route("/echo", echo, methods=["GET", "POST", "PUT"]),
            Route("/digest", digest, methods=["POST"]),
            Route("/sized", sized),
            Route("/chunks", chunks),
            Route("/closing", closing),
            Route("/status", status),
        ]
    )


@pytest.fixture()
async def served() -> AsyncIterator[RunningServer]:
    """The test app on Hypercorn, 127.0.0.1."""
    async with running_server(app(), grace_s=1.0) as server:
        yield server
