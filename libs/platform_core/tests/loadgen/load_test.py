"""The closed-loop runner and the prober against Hypercorn on loopback."""

import asyncio

import pytest

from platform_core.http_testing import RunningServer
from platform_core.loadgen import (
    LOOPBACK,
    ForCount,
    ForDuration,
    Http1Connection,
    LoadError,
    Request,
    UntilSet,
    each,
    probe,
    run_load,
)

PING = each(lambda _connection, _number: Request("GET", "/ping"))


async def test_a_time_window_after_a_warm_up(served: RunningServer) -> None:
    figures = await run_load(
        LOOPBACK, served.port, PING, connections=2, limit=ForDuration(0.3, warmup_s=0.1)
    )
    assert figures.connections == 2
    assert 0 < figures.requests < figures.total_requests
    assert figures.errors == 0
    assert figures.latency.count == figures.requests
    assert figures.elapsed_s >= 0.3
    assert figures.requests_per_s == pytest.approx(figures.requests / figures.elapsed_s, rel=0.01)
    assert 0 < figures.latency.p50_ms <= figures.latency.p99_ms <= figures.latency.max_ms


async def test_a_request_count_with_a_body_per_request(served: RunningServer) -> None:
    seen: list[bytes] = []

    def post(connection: int, number: int) -> Request:
        return Request("POST", "/echo", [("x-n", "1")], f"{connection}/{number}".encode())

    async def exchange(conn: Http1Connection, connection: int, number: int) -> bool:
        request = post(connection, number)
        response = await conn.request(request.method, request.target, body=request.body)
        seen.append(response.body)
        return response.status == 201

    figures = await run_load(LOOPBACK, served.port, exchange, connections=3, limit=ForCount(4))
    assert (figures.requests, figures.total_requests, figures.errors) == (12, 12, 0)
    assert sorted(seen) == sorted(f"{c}/{n}".encode() for c in range(3) for n in range(4))
    created = each(post, ok_status=201)
    again = await run_load(LOOPBACK, served.port, created, connections=1, limit=ForCount(2))
    assert (again.requests, again.errors) == (2, 0)


async def test_answers_of_another_status_are_errors(served: RunningServer) -> None:
    figures = await run_load(
        LOOPBACK,
        served.port,
        each(lambda _c, _n: Request("GET", "/status?code=503")),
        connections=2,
        limit=ForCount(3),
    )
    assert (figures.requests, figures.errors) == (6, 6)


async def test_until_an_event_with_a_pause(served: RunningServer) -> None:
    stop = asyncio.Event()

    async def five(conn: Http1Connection, _connection: int, number: int) -> bool:
        response = await conn.request("GET", "/ping")
        if number == 4:
            stop.set()
        return response.status == 200

    figures = await run_load(
        LOOPBACK, served.port, five, connections=1, limit=UntilSet(stop), pause_s=0.001
    )
    assert figures.requests == 5


async def test_nothing_measured_is_an_error(served: RunningServer) -> None:
    with pytest.raises(LoadError, match=f"no request was measured on 127.0.0.1:{served.port}"):
        await run_load(LOOPBACK, served.port, PING, connections=2, limit=ForDuration(0.0))


async def test_an_exchange_that_raises_ends_the_run(served: RunningServer) -> None:
    async def refuse(conn: Http1Connection, _connection: int, _number: int) -> bool:
        await conn.request("GET", "/ping")
        raise LookupError("not what the benchmark expected")

    with pytest.raises(ExceptionGroup) as caught:
        await run_load(LOOPBACK, served.port, refuse, connections=2, limit=ForCount(5))
    assert all(isinstance(error, LookupError) for error in caught.value.exceptions)


async def test_probes(served: RunningServer) -> None:
    idle = await probe(LOOPBACK, served.port, "/ping", limit=ForCount(3), interval_s=0)
    assert idle.count == 3
    stop = asyncio.Event()
    prober = asyncio.create_task(
        probe(LOOPBACK, served.port, "/ping", limit=UntilSet(stop), interval_s=0.005)
    )
    await run_load(LOOPBACK, served.port, PING, connections=1, limit=ForCount(20))
    stop.set()
    assert (await prober).count >= 1
    with pytest.raises(LoadError, match=r"2 of 2 GET /status\?code=503 did not answer 200"):
        await probe(LOOPBACK, served.port, "/status?code=503", limit=ForCount(2), interval_s=0)
