"""A minimal HTTP/1.1 keep-alive load generator on raw asyncio streams.

Raw streams keep the client's own cost per request far below the servers' (httpx would
measure itself), so the figures are the server's.
"""

import asyncio
import time
from dataclasses import dataclass

from pydantic import BaseModel


class Figures(BaseModel):
    """The result of one measured run."""

    requests: int
    duration_s: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float


class LoadError(RuntimeError):
    """The server answered something other than 200 with a body."""


@dataclass
class _Window:
    start: float
    end: float


def _percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


async def _connection(
    host: str, port: int, request: bytes, window: _Window, latencies: list[float]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            sent = time.perf_counter()
            if sent >= window.end:
                return
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise LoadError(f"unexpected answer: {head[:60]!r}")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length <= 0:
                raise LoadError("an answer without a body")
            await reader.readexactly(length)
            done = time.perf_counter()
            if sent >= window.start:
                latencies.append(done - sent)
    finally:
        writer.close()
        await writer.wait_closed()


async def measure(
    host: str,
    port: int,
    path: str,
    *,
    connections: int,
    duration_s: float,
    warmup_s: float,
) -> Figures:
    """Keep `connections` connections busy for `warmup_s + duration_s`; the measured part."""
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    now = time.perf_counter()
    window = _Window(start=now + warmup_s, end=now + warmup_s + duration_s)
    latencies: list[float] = []
    async with asyncio.TaskGroup() as group:
        for _ in range(connections):
            group.create_task(_connection(host, port, request, window, latencies))
    if not latencies:
        raise LoadError("no request completed in the measured window")
    latencies.sort()
    return Figures(
        requests=len(latencies),
        duration_s=duration_s,
        requests_per_s=round(len(latencies) / duration_s, 1),
        p50_ms=round(_percentile(latencies, 0.50) * 1000, 3),
        p99_ms=round(_percentile(latencies, 0.99) * 1000, 3),
    )
