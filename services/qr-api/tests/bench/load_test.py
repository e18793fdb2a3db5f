"""The benchmark's figures, from a short run against qr-api on Hypercorn."""

import pytest
from pydantic import JsonValue, TypeAdapter

from platform_core.config import load_settings
from platform_core.http_testing import running_server
from qr_api.app import build_app
from qr_api.settings import QrSettings
from qr_bench.load import qr_body, render_requests, run_benchmark


def test_bodies_differ_per_request() -> None:
    parsed = TypeAdapter(JsonValue).validate_json(qr_body(3, 4))
    assert parsed == {"url": "https://example.com/bench/3/4"}
    assert qr_body(0, 1) != qr_body(1, 0)


def test_render_requests_ask_for_the_kind() -> None:
    request = render_requests("svg")(2, 5)
    assert (request.method, request.target, request.body) == ("POST", "/v1/qr", qr_body(2, 5))
    assert ("accept", "image/svg+xml") in request.headers


@pytest.mark.parametrize("kind", ["png", "svg"])
async def test_a_short_run(kind: str) -> None:
    settings = load_settings(QrSettings, {"QR_RENDER_WORKERS": "1"})
    async with running_server(build_app(settings)) as server:
        result = await run_benchmark(
            "127.0.0.1",
            server.port,
            connections=2,
            duration_s=0.3,
            kind="svg" if kind == "svg" else "png",
            idle_probes=3,
            probe_interval_s=0.01,
        )
    assert result.kind == kind
    assert result.errors == 0
    assert result.requests == result.render.count >= 2
    assert result.requests_per_s > 0
    assert result.duration_s >= 0.3
    assert result.healthz_idle.count == 3
    assert result.healthz_under_load.count >= 1
    assert result.render.p50_ms <= result.render.p99_ms <= result.render.max_ms
