"""The measurements: render throughput and latency, and `/healthz` latency under that load.

`run_benchmark` first times `/healthz` on an idle server, then runs `connections`
keep-alive connections that each POST `/v1/qr` back to back (a different URL every
time) for `duration_s`, while one more connection GETs `/healthz` every
`probe_interval_s`. Latencies are wall-clock per request, as the client sees them.
"""

import asyncio
import json
import math
import time
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from qr_bench.http1 import Http1Connection

Kind = Literal["png", "svg"]
ACCEPT: dict[Kind, str] = {"png": "image/png", "svg": "image/svg+xml"}


class Latency(BaseModel):
    """Latency figures in milliseconds (nearest-rank percentiles)."""

    model_config = ConfigDict(frozen=True)

    count: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float


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


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of an ascending, non-empty sequence."""
    rank = max(1, min(len(sorted_values), math.ceil(round(fraction * len(sorted_values), 9))))
    return sorted_values[rank - 1]


def latency(seconds: Sequence[float]) -> Latency:
    """Summarise latencies given in seconds."""
    if not seconds:
        raise ValueError("no latencies to summarise")
    values = sorted(seconds)
    return Latency(
        count=len(values),
        p50_ms=round(percentile(values, 0.50) * 1000, 3),
        p90_ms=round(percentile(values, 0.90) * 1000, 3),
        p99_ms=round(percentile(values, 0.99) * 1000, 3),
        max_ms=round(values[-1] * 1000, 3),
    )


def qr_body(connection: int, index: int) -> bytes:
    """A request body with a URL unique to this connection and request."""
    payload: dict[str, str] = {"url": f"https://example.com/bench/{connection}/{index}"}
    return json.dumps(payload).encode()


async def _timed_get(conn: Http1Connection, path: str) -> float:
    started = time.perf_counter()
    response = await conn.request("GET", path)
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    return elapsed


async def probe(
    host: str, port: int, *, count: int | None, interval_s: float, stop: asyncio.Event
) -> list[float]:
    """`/healthz` latencies: `count` probes, or until `stop` is set when `count` is None."""
    samples: list[float] = []
    async with Http1Connection(host, port) as conn:
        while (count is None and not stop.is_set()) or (count is not None and len(samples) < count):
            samples.append(await _timed_get(conn, "/healthz"))
            await asyncio.sleep(interval_s)
    return samples


async def _render_loop(
    host: str, port: int, connection: int, kind: Kind, deadline: float
) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    headers = [("content-type", "application/json"), ("accept", ACCEPT[kind])]
    async with Http1Connection(host, port) as conn:
        index = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await conn.request(
                "POST", "/v1/qr", headers=headers, body=qr_body(connection, index)
            )
            latencies.append(time.perf_counter() - started)
            errors += response.status != 200
            index += 1
    return latencies, errors


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
    idle = await probe(host, port, count=idle_probes, interval_s=0, stop=asyncio.Event())
    stop = asyncio.Event()
    prober = asyncio.create_task(
        probe(host, port, count=None, interval_s=probe_interval_s, stop=stop)
    )
    started = time.perf_counter()
    deadline = started + duration_s
    results = await asyncio.gather(
        *(_render_loop(host, port, n, kind, deadline) for n in range(connections))
    )
    elapsed = time.perf_counter() - started
    stop.set()
    under_load = await prober
    latencies = [value for loop_latencies, _ in results for value in loop_latencies]
    return BenchResult(
        kind=kind,
        connections=connections,
        duration_s=round(elapsed, 3),
        requests=len(latencies),
        errors=sum(errors for _, errors in results),
        requests_per_s=round(len(latencies) / elapsed, 1),
        render=latency(latencies),
        healthz_idle=latency(idle),
        healthz_under_load=latency(under_load),
    )
