"""End to end over real HTTP: Hypercorn on 127.0.0.1, render worker processes, zbar decoding."""

import hashlib
from collections.abc import AsyncIterator
from concurrent.futures import Executor

import pytest

from platform_core.config import load_settings
from platform_core.http_testing import RunningServer, running_server
from qr_api.app import CACHE_CONTROL, build_app
from qr_api.render_pool import process_pool
from qr_api.request import ECC_LEVELS
from qr_api.settings import QrSettings
from qr_api_testing.json_io import json_body, json_field, json_payload
from qr_api_testing.reader import QrReader

URL = "https://example.com/qr?ref=e2e"
ACCEPT = {"png": "image/png", "svg": "image/svg+xml"}
COLOURS = [("#000000", "#FFFFFF"), ("#f00", "#ff0"), ("#1A2B3C", "#F0F8FF")]
RANK = {"L": 0, "M": 1, "Q": 2, "H": 3}


@pytest.fixture()
async def server() -> AsyncIterator[RunningServer]:
    settings = load_settings(QrSettings, {"QR_RENDER_WORKERS": "2"})
    async with running_server(build_app(settings)) as running:
        yield running


async def test_every_level_colour_and_format_decodes(
    server: RunningServer, qr_reader: QrReader
) -> None:
    async with server.client() as client:
        for kind, accept in ACCEPT.items():
            for ecc in ECC_LEVELS:
                for fill, back in COLOURS:
                    body = json_payload(url=URL, ecc=ecc, fill_color=fill, back_color=back)
                    response = await client.post("/v1/qr", content=body, headers={"Accept": accept})
                    assert response.status_code == 200, response.text
                    assert response.headers["content-type"] == accept
                    reading = qr_reader.read(response.content, kind=kind, fill=fill, back=back)
                    assert reading.text == URL
                    assert RANK[reading.ecc] >= RANK[ecc]


async def test_defaults_and_cache_headers(server: RunningServer, qr_reader: QrReader) -> None:
    async with server.client() as client:
        # 26 bytes fill a version 2 code at M, so segno cannot boost the level.
        first = await client.post("/v1/qr", content=b'{"url": "ab.io/xxxxxxxxxxxx"}')
        again = await client.post(
            "/v1/qr", content=b'{"url":"ab.io/xxxxxxxxxxxx"}', headers={"X-Request-ID": "abc-123"}
        )
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/png"
    assert first.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert first.headers["etag"] == f'"{hashlib.sha256(first.content).hexdigest()}"'
    assert first.headers["cache-control"] == CACHE_CONTROL
    assert first.headers["vary"] == "Accept"
    assert int(first.headers["content-length"]) == len(first.content)
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["x-request-id"] == "abc-123"
    reading = qr_reader.read(first.content, box_size=10, border=1)
    assert (reading.text, reading.ecc, reading.modules) == ("https://ab.io/xxxxxxxxxxxx", "M", 25)


async def test_client_mistakes_are_400_envelopes(server: RunningServer) -> None:
    cases: list[tuple[bytes, str]] = [
        (b"{", "Invalid JSON body"),
        (b"", "Invalid JSON body"),
        (b'{"url": "\xff\xfe"}', "Invalid JSON body"),
        (b"[1, 2]", "Invalid request body"),
        (b"{}", "Field 'url' is required"),
        (b'{"url": "example.com", "box_size": 10.0}', "box_size must be between 5 and 20"),
        (b'{"url": "example.com", "border": true}', "border must be between 1 and 10"),
        (b'{"url": "example.com", "box_size": "big"}', "box_size must be between 5 and 20"),
        (b'{"url": "999.1.1.1"}', "Please check the URL and try again."),
    ]
    async with server.client() as client:
        for body, message in cases:
            response = await client.post("/v1/qr", content=body)
            assert response.status_code == 400, body
            assert json_body(response.content) == {
                "code": "INVALID_INPUT",
                "message": message,
                "request_id": response.headers["x-request-id"],
            }


async def test_svg_encodes_the_normalised_url(server: RunningServer, qr_reader: QrReader) -> None:
    payload = json_payload(url="  HTTP://Example.com:8080/a?b=c#frag  ", box_size=5)
    async with server.client() as client:
        response = await client.post("/v1/qr", content=payload, headers={"Accept": "image/svg+xml"})
    assert response.headers["content-type"] == "image/svg+xml"
    reading = qr_reader.read(response.content, kind="svg", box_size=5)
    assert reading.text == "http://Example.com:8080/a?b=c"


async def test_health_and_readiness(server: RunningServer) -> None:
    async with server.client() as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
    assert (health.status_code, json_body(health.content)) == (200, {"status": "ok"})
    assert (ready.status_code, json_body(ready.content)) == (
        200,
        {"status": "ready", "reason": None},
    )


async def test_a_dead_render_worker_is_reported() -> None:
    executors: list[Executor] = []

    def recording_pool(workers: int) -> Executor:
        executor = process_pool(workers)
        executors.append(executor)
        return executor

    settings = load_settings(QrSettings, {"QR_RENDER_WORKERS": "1"})
    async with (
        running_server(build_app(settings, recording_pool)) as server,
        server.client() as client,
    ):
        assert (await client.get("/readyz")).status_code == 200
        killed = executors[0].submit(_exit_worker)
        with pytest.raises(Exception, match="terminated abruptly"):
            killed.result(timeout=30)
        ready = await client.get("/readyz")
        render = await client.post("/v1/qr", content=json_payload(url="example.com"))
        health = await client.get("/healthz")
    assert (ready.status_code, json_body(ready.content)) == (
        503,
        {"status": "degraded", "reason": "render pool broken"},
    )
    assert render.status_code == 503
    assert json_field(render.content, "code") == "SERVICE_UNAVAILABLE"
    assert json_field(render.content, "message") == "render pool broken"
    assert health.status_code == 200


def _exit_worker() -> None:
    import os

    os._exit(3)
