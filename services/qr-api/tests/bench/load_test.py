"""The benchmark's figures, from a short run against qr-api on Hypercorn."""

import asyncio
import json

import pytest

from platform_core.config import load_settings
from platform_core.http_testing import running_server
from qr_api.app import build_app
from qr_api.settings import QrSettings
from qr_bench.load import latency, percentile, probe, qr_body, run_benchmark


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0


def test_latency_in_milliseconds() -> None:
    figures = latency([0.003, 0.001, 0.002])
    assert (figures.count, figures.p50_ms, figures.p99_ms, figures.max_ms) == (3, 2.0, 3.0, 3.0)
    with pytest.raises(ValueError, match="no latencies"):
        latency([])


def test_bodies_differ_per_request() -> None:
    parsed: object = json.loads(qr_body(3, 4))
    assert parsed == {"url": "https://example.com/bench/3/4"}
    assert qr_body(0, 1) != qr_body(1, 0)


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
    assert result.healthz_idle.count == 3
    assert result.healthz_under_load.count >= 1
    assert result.render.p50_ms <= result.render.p99_ms <= result.render.max_ms


async def test_a_probe_that_is_not_200_stops_the_run() -> None:
    async def failing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        await reader.read()
        writer.close()

    server = await asyncio.start_server(failing, "127.0.0.1", 0)
    port: int = server.sockets[0].getsockname()[1]
    async with server:
        with pytest.raises(RuntimeError, match="GET /healthz answered 503"):
            await probe("127.0.0.1", port, count=1, interval_s=0, stop=asyncio.Event())
