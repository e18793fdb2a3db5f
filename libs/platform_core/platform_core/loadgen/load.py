"""A closed-loop load runner: N keep-alive connections, each sending its next request as
soon as the previous answer is in, for a time window, a request count, or until told.

    figures = await run_load(
        host, port, each(lambda connection, number: Request("GET", "/ping")),
        connections=64, limit=ForDuration(5.0, warmup_s=2.0),
    )
    figures.requests_per_s, figures.latency.p99_ms

Every connection is open before the clock starts. A request's latency is the wall-clock
time of its exchange as the client sees it. Requests started during the warm-up are
counted in `total_requests` only. `elapsed_s` runs from the start of the measured part
until the last connection is done, and `requests_per_s` is the measured requests over it.
An exception raised by an exchange ends the run (an `ExceptionGroup`, as `TaskGroup`).
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from platform_core.loadgen.http1 import Header, Http1Connection
from platform_core.loadgen.stats import Latency, latency

Exchange = Callable[[Http1Connection, int, int], Awaitable[bool]]
"""One request on a connection: `(conn, connection number, request number)`; True when
the answer was the expected one (False counts as an error)."""


class LoadError(RuntimeError):
    """The run measured nothing, or a probe was not answered as expected."""


@dataclass(frozen=True, slots=True)
class Request:
    """An HTTP request to send."""

    method: str
    target: str
    headers: Sequence[Header] = ()
    body: bytes = b""


def each(make: Callable[[int, int], Request], *, ok_status: int = 200) -> Exchange:
    """An exchange that sends `make(connection, number)`; ok when it answers `ok_status`."""

    async def exchange(conn: Http1Connection, connection: int, number: int) -> bool:
        request = make(connection, number)
        response = await conn.request(
            request.method, request.target, headers=request.headers, body=request.body
        )
        return response.status == ok_status

    return exchange


@dataclass(frozen=True, slots=True)
class ForDuration:
    """Start requests for `seconds` after `warmup_s` unmeasured seconds."""

    seconds: float
    warmup_s: float = 0.0


@dataclass(frozen=True, slots=True)
class ForCount:
    """Send `per_connection` requests on each connection."""

    per_connection: int


@dataclass(frozen=True, slots=True)
class UntilSet:
    """Send requests until `stop` is set (checked before each request)."""

    stop: asyncio.Event


Limit = ForDuration | ForCount | UntilSet


class LoadFigures(BaseModel):
    """What one run measured."""

    model_config = ConfigDict(frozen=True)

    connections: int
    requests: int
    total_requests: int
    errors: int
    elapsed_s: float
    requests_per_s: float
    latency: Latency


@dataclass
class _Run:
    limit: Limit
    measured_from: float
    ends: float
    latencies: list[float] = field(default_factory=list)
    completed: int = 0
    errors: int = 0

    def goes_on(self, number: int) -> bool:
        if isinstance(self.limit, ForDuration):
            return time.perf_counter() < self.ends
        if isinstance(self.limit, ForCount):
            return number < self.limit.per_connection
        return not self.limit.stop.is_set()

    def record(self, sent: float, answered: float, *, ok: bool) -> None:
        self.completed += 1
        self.errors += not ok
        if sent >= self.measured_from:
            self.latencies.append(answered - sent)


async def _connection_loop(
    conn: Http1Connection,
    connection: int,
    exchange: Exchange,
    run: _Run,
    pause_s: float,
) -> None:
    number = 0
    while run.goes_on(number):
        sent = time.perf_counter()
        ok = await exchange(conn, connection, number)
        run.record(sent, time.perf_counter(), ok=ok)
        number += 1
        if pause_s > 0:
            await asyncio.sleep(pause_s)


async def run_load(
    host: str,
    port: int,
    exchange: Exchange,
    *,
    connections: int,
    limit: Limit,
    pause_s: float = 0.0,
) -> LoadFigures:
    """Run `exchange` on `connections` connections to `host:port` within `limit`.

    `pause_s` is a pause after each answer (a prober's interval). `errors` counts the
    exchanges that returned False, warm-up included. `LoadError` if no request was
    measured.
    """
    conns = [Http1Connection(host, port) for _ in range(connections)]
    try:
        await asyncio.gather(*(conn.connect() for conn in conns))
        started = time.perf_counter()
        warmup_s = limit.warmup_s if isinstance(limit, ForDuration) else 0.0
        seconds = limit.seconds if isinstance(limit, ForDuration) else 0.0
        run = _Run(limit, started + warmup_s, started + warmup_s + seconds)
        async with asyncio.TaskGroup() as group:
            for number, conn in enumerate(conns):
                group.create_task(_connection_loop(conn, number, exchange, run, pause_s))
        elapsed = time.perf_counter() - run.measured_from
    finally:
        await asyncio.gather(*(conn.close() for conn in conns))
    return _figures(run, connections, elapsed, f"{host}:{port}")


def _figures(run: _Run, connections: int, elapsed: float, where: str) -> LoadFigures:
    if not run.latencies:
        raise LoadError(f"no request was measured on {where}")
    return LoadFigures(
        connections=connections,
        requests=len(run.latencies),
        total_requests=run.completed,
        errors=run.errors,
        elapsed_s=round(elapsed, 3),
        requests_per_s=round(len(run.latencies) / elapsed, 1),
        latency=latency(run.latencies),
    )


async def probe(
    host: str, port: int, target: str, *, limit: ForCount | UntilSet, interval_s: float
) -> Latency:
    """`GET target` on one connection every `interval_s` within `limit`; the latencies.

    `LoadError` if an answer was not 200 (or no probe completed).
    """
    figures = await run_load(
        host,
        port,
        each(lambda _connection, _number: Request("GET", target)),
        connections=1,
        limit=limit,
        pause_s=interval_s,
    )
    if figures.errors:
        raise LoadError(
            f"{figures.errors} of {figures.total_requests} GET {target} did not answer 200"
        )
    return figures.latency
