"""The measurements: render throughput and latency, and `/healthz` latency under that load.

`run_benchmark` first times `/healthz` on an idle server, then runs `connections`
keep-alive connections that each POST `/v1/qr` back to back (a different URL every
time) for `duration_s`, while one more connection GETs `/healthz` every
`probe_interval_s`. Latencies are wall-clock per request, as the client sees them
(`platform_core.loadgen`: nearest-rank percentiles in milliseconds).
"""

import asyncio
import json
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from platform_core.loadgen import (
    ForCount,
    ForDuration,
    Latency,
    Request,
    UntilSet,
    each,
    probe,
    run_load,
)

Kind = Literal["png", "svg"]
ACCEPT: dict[Kind, str] = {"png": "image/png", "svg": "image/svg+xml"}
HEALTHZ = "/healthz"


class BenchResult(BaseModel):
    """What the benchmark prints."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    connections: int
    duration_s: float
    requests: int
    errors: int
    requests_per_s: float
    render: Latency
    healthz_idle: Latency
    healthz_under_load: Latency


def qr_body(connection: int, index: int) -> bytes:
    """A request body with a URL unique to this connection and request."""
    payload: dict[str, str] = {"url": f"https://example.com/bench/{connection}/{index}"}
    return json.dumps(payload).encode()


def render_requests(kind: Kind) -> Callable[[int, int], Request]:
    """`POST /v1/qr` with a URL unique to each connection and request, asking for `kind`."""
    headers = [("content-type", "application/json"), ("accept", ACCEPT[kind])]

    def render(connection: int, index: int) -> Request:
        return Request("POST", "/v1/qr", headers, qr_body(connection, index))

    return render


async def run_benchmark(
    host: str,
    port: int,
    *,
    connections: int,
    duration_s: float,
    kind: Kind,
    idle_probes: int,
    probe_interval_s: float,
) -> BenchResult:
    """Measure the server at `host:port` (see the module docstring)."""
    idle = await probe(host, port, HEALTHZ, limit=ForCount(idle_probes), interval_s=0)
    stop = asyncio.Event()
    prober = asyncio.create_task(
        probe(host, port, HEALTHZ, limit=UntilSet(stop), interval_s=probe_interval_s)
    )
    try:
        render = await run_load(
            host,
            port,
            each(render_requests(kind)),
            connections=connections,
            limit=ForDuration(duration_s),
        )
    finally:
        stop.set()
        under_load = await prober
    return BenchResult(
        kind=kind,
        connections=connections,
        duration_s=render.elapsed_s,
        requests=render.requests,
        errors=render.errors,
        requests_per_s=render.requests_per_s,
        render=render.latency,
        healthz_idle=idle,
        healthz_under_load=under_load,
    )
