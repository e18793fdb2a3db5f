"""A minimal HTTP/1.1 keep-alive load generator on raw asyncio streams.

Raw streams keep the client's own cost per request far below the servers' (httpx would
measure itself), so the figures are the server's.
"""

import asyncio
import time
from dataclasses import dataclass, field

from pydantic import BaseModel


class Figures(BaseModel):
    """The result of one measured run."""

    requests: int
    total_requests: int
    duration_s: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float


class LoadError(RuntimeError):
    """The server answered something other than 200 with a body."""


@dataclass
class _Run:
    """The measured window, and what the connections recorded."""

    start: float
    end: float
    latencies: list[float] = field(default_factory=list)
    completed: int = 0


def _percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


async def _connection(host: str, port: int, request: bytes, window: _Run) -> None:
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
            answered = time.perf_counter()
            window.completed += 1
            if sent >= window.start:
                window.latencies.append(answered - sent)
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
    """Keep `connections` connections busy for `warmup_s + duration_s`; the measured part.

    `total_requests` counts the warm-up too (for cost per request over the whole run).
    """
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    now = time.perf_counter()
    window = _Run(start=now + warmup_s, end=now + warmup_s + duration_s)
    async with asyncio.TaskGroup() as group:
        for _ in range(connections):
            group.create_task(_connection(host, port, request, window))
    latencies = window.latencies
    if not latencies:
        raise LoadError("no request completed in the measured window")
    latencies.sort()
    return Figures(
        requests=len(latencies),
        total_requests=window.completed,
        duration_s=duration_s,
        requests_per_s=round(len(latencies) / duration_s, 1),
        p50_ms=round(_percentile(latencies, 0.50) * 1000, 3),
        p99_ms=round(_percentile(latencies, 0.99) * 1000, 3),
    )
