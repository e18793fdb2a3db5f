"""Run the comparison and print JSON: each app in its own server process, same run."""

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import TextIO

from pydantic import BaseModel

from platform_core.http_benchmark.apps import PATH, PING_BODY, AppKind
from platform_core.http_benchmark.server import HOST, serve_forever
from platform_core.loadgen import (
    ForDuration,
    Http1Connection,
    LoadError,
    LoadFigures,
    child_server,
    free_port,
    inherited_env,
    python_module,
    run_load,
)

STARTUP_TIMEOUT_S = 60.0


class AppFigures(BaseModel):
    """One measured run against one app (`total_requests` counts the warm-up too), with
    the server process's CPU time per request (over all of them)."""

    requests: int
    total_requests: int
    duration_s: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    server_cpu_us_per_request: float


class Report(BaseModel):
    """The benchmark's output: per app, the round with the median requests/s.

    `overhead_ratio` is bare requests/s over kit requests/s (>1: the kit is slower);
    `cpu_ratio` compares the server CPU each request costs, which does not depend on
    whether the server or the load generator was the bottleneck.
    """

    connections: int
    route: str
    rounds: int
    kit: AppFigures
    bare: AppFigures
    kit_rounds_rps: list[float]
    bare_rounds_rps: list[float]
    overhead_ratio: float
    cpu_ratio: float
    p50_ratio: float
    p99_ratio: float


async def ping(conn: Http1Connection, _connection: int, _number: int) -> bool:
    """One `GET /ping`; ok when it answers 200 with the ping body."""
    response = await conn.request("GET", PATH)
    return response.status == 200 and response.body == PING_BODY


async def measure(
    port: int, *, connections: int, duration_s: float, warmup_s: float
) -> LoadFigures:
    """Keep `connections` connections busy for `warmup_s + duration_s`; the measured part.

    `LoadError` if any answer was not the ping.
    """
    window = ForDuration(duration_s, warmup_s=warmup_s)
    load = await run_load(HOST, port, ping, connections=connections, limit=window)
    if load.errors:
        raise LoadError(f"{load.errors} of {load.total_requests} answers were not the ping")
    return load


async def measure_app(
    kind: AppKind, *, connections: int, duration_s: float, warmup_s: float
) -> AppFigures:
    """`measure` against the `kind` app in its own server process, with its CPU time."""
    port = free_port()
    command = python_module("platform_core.http_benchmark", "--serve", kind, "--port", str(port))
    env = inherited_env({})
    async with child_server(
        command, port=port, env=env, ready_path=PATH, ready_timeout_s=STARTUP_TIMEOUT_S
    ) as server:
        cpu_before = server.cpu_seconds()
        load = await measure(
            port, connections=connections, duration_s=duration_s, warmup_s=warmup_s
        )
        cpu = server.cpu_seconds() - cpu_before
    return AppFigures(
        requests=load.requests,
        total_requests=load.total_requests,
        duration_s=duration_s,
        requests_per_s=load.requests_per_s,
        p50_ms=load.latency.p50_ms,
        p99_ms=load.latency.p99_ms,
        server_cpu_us_per_request=round(cpu / load.total_requests * 1e6, 1),
    )


def _rate(figures: AppFigures) -> float:
    return figures.requests_per_s


def _median(rounds: list[AppFigures]) -> AppFigures:
    ordered = sorted(rounds, key=_rate)
    return ordered[len(ordered) // 2]


async def run(*, connections: int, duration_s: float, warmup_s: float, rounds: int = 1) -> Report:
    """Measure the kit app and the bare app under the same load, alternating per round."""
    measured: dict[AppKind, list[AppFigures]] = {"kit": [], "bare": []}
    kinds: Sequence[AppKind] = ("kit", "bare")
    for _ in range(rounds):
        for kind in kinds:
            measured[kind].append(
                await measure_app(
                    kind, connections=connections, duration_s=duration_s, warmup_s=warmup_s
                )
            )
    kit, bare = _median(measured["kit"]), _median(measured["bare"])
    return Report(
        connections=connections,
        route=f"GET {PATH}",
        rounds=rounds,
        kit=kit,
        bare=bare,
        kit_rounds_rps=[figures.requests_per_s for figures in measured["kit"]],
        bare_rounds_rps=[figures.requests_per_s for figures in measured["bare"]],
        overhead_ratio=round(bare.requests_per_s / kit.requests_per_s, 3),
        cpu_ratio=round(kit.server_cpu_us_per_request / bare.server_cpu_us_per_request, 3),
        p50_ratio=round(kit.p50_ms / bare.p50_ms, 3),
        p99_ratio=round(kit.p99_ms / bare.p99_ms, 3),
    )


class Args(argparse.Namespace):
    """The command line, typed."""

    connections: int
    duration: float
    warmup: float
    rounds: int
    serve: AppKind | None
    port: int


def main(argv: list[str], out: TextIO | None = None) -> int:
    """Run the benchmark and print its JSON report (or, with `--serve`, be one server)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per app")
    parser.add_argument("--serve", choices=("kit", "bare"), help="be one server process")
    parser.add_argument("--port", type=int, default=0, help="the server's port (--serve)")
    args = parser.parse_args(argv, namespace=Args())
    if args.serve is not None:
        return serve_forever(args.serve, args.port)
    report = asyncio.run(
        run(
            connections=args.connections,
            duration_s=args.duration,
            warmup_s=args.warmup,
            rounds=args.rounds,
        )
    )
    stream = out if out is not None else sys.stdout
    stream.write(report.model_dump_json(indent=2) + "\n")
    return 0
