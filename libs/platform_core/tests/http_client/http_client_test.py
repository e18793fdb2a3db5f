"""`open_http` against a real Hypercorn server on loopback."""

import asyncio

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from platform_core.http_client import HttpTimeoutError, HttpUnavailableError, open_http
from platform_core.http_testing import running_server


async def echo(request: Request) -> Response:
    body = await request.body()
    answer: dict[str, str | None] = {
        "method": request.method,
        "path": request.url.path,
        "type": request.headers.get("content-type"),
        "auth": request.headers.get("authorization"),
        "extra": request.headers.get("x-extra"),
        "body": body.decode(),
    }
    return JSONResponse(
        answer,
        status_code=201 if body else 404,
        headers={"X-RateLimit-Bucket": "b1"},
    )


async def slow(_: Request) -> Response:
    await asyncio.sleep(2)
    return Response("late")


APP = Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"]), Route("/slow", slow)])


async def test_requests_and_answers() -> None:
    async with (
        running_server(APP) as server,
        open_http(server.url, timeout_s=5.0, headers={"Authorization": "Bot t"}) as http,
    ):
        sent = await http.request(
            "POST", "/echo", json={"content": "hé", "n": [1, None]}, headers={"X-Extra": "1"}
        )
        assert sent.status == 201
        assert sent.headers["x-ratelimit-bucket"] == "b1"
        assert sent.body.decode() == (
            '{"method":"POST","path":"/echo","type":"application/json","auth":"Bot t",'
            '"extra":"1","body":"{\\"content\\":\\"hé\\",\\"n\\":[1,null]}"}'
        )
        bare = await http.request("GET", "/echo")
        assert bare.status == 404
        assert b'"type":null' in bare.body


async def test_no_answer_raises() -> None:
    async with running_server(APP) as server, open_http(server.url, timeout_s=0.2) as http:
        with pytest.raises(HttpTimeoutError, match="GET /slow: no answer"):
            await http.request("GET", "/slow")
    async with open_http("http://127.0.0.1:1", timeout_s=1.0) as http:
        with pytest.raises(HttpUnavailableError, match="GET /x: "):
            await http.request("GET", "/x")
