"""Run the comparison and print JSON: each app in its own server process, same run."""

import argparse
import asyncio
import os
import pathlib
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TextIO

from pydantic import BaseModel

from platform_core.http_benchmark.apps import PATH, AppKind
from platform_core.http_benchmark.load import Figures, measure
from platform_core.http_benchmark.server import serve_forever

STARTUP_TIMEOUT_S = 60.0


class Port(BaseModel):
    """The line a server prints once it listens."""

    port: int


class AppFigures(Figures):
    """One run against one app, with the server process's CPU time per request."""

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


@dataclass(frozen=True)
class Server:
    """A running benchmark server process."""

    port: int
    pid: int


def cpu_seconds(pid: int) -> float:
    """CPU time the threads of a process have run so far (Linux schedstat, nanoseconds)."""
    total_ns = 0
    for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
        total_ns += int((task / "schedstat").read_text(encoding="ascii").split()[0])
    return total_ns / 1e9


@asynccontextmanager
async def server_process(kind: AppKind, python: str) -> AsyncIterator[Server]:
    """A benchmark server of `kind` in its own process. Stopped with SIGTERM."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(entry for entry in sys.path if entry)}
    process = await asyncio.create_subprocess_exec(
        python,
        "-m",
        "platform_core.http_benchmark",
        "--serve",
        kind,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None  # stdout=PIPE above
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT_S):
            line = await process.stdout.readline()
        if not line:
            await process.wait()
            raise RuntimeError(f"the {kind} server exited before listening")
        yield Server(Port.model_validate_json(line).port, process.pid)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await process.wait()


def _rate(figures: AppFigures) -> float:
    return figures.requests_per_s


def _median(rounds: list[AppFigures]) -> AppFigures:
    ordered = sorted(rounds, key=_rate)
    return ordered[len(ordered) // 2]


async def run(
    *,
    connections: int,
    duration_s: float,
    warmup_s: float,
    rounds: int = 1,
    python: str = sys.executable,
) -> Report:
    """Measure the kit app and the bare app under the same load, alternating per round."""
    measured: dict[AppKind, list[AppFigures]] = {"kit": [], "bare": []}
    kinds: Sequence[AppKind] = ("kit", "bare")
    for _ in range(rounds):
        for kind in kinds:
            async with server_process(kind, python) as server:
                cpu_before = await asyncio.to_thread(cpu_seconds, server.pid)
                figures = await measure(
                    "127.0.0.1",
                    server.port,
                    PATH,
                    connections=connections,
                    duration_s=duration_s,
                    warmup_s=warmup_s,
                )
                cpu = await asyncio.to_thread(cpu_seconds, server.pid) - cpu_before
            per_request = round(cpu / figures.total_requests * 1e6, 1)
            measured[kind].append(
                AppFigures(
                    requests=figures.requests,
                    total_requests=figures.total_requests,
                    duration_s=figures.duration_s,
                    requests_per_s=figures.requests_per_s,
                    p50_ms=figures.p50_ms,
                    p99_ms=figures.p99_ms,
                    server_cpu_us_per_request=per_request,
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


def main(argv: list[str], out: TextIO | None = None) -> int:
    """Run the benchmark and print its JSON report (or, with `--serve`, be one server)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per app")
    parser.add_argument("--serve", choices=("kit", "bare"), help="be one server process")
    args = parser.parse_args(argv, namespace=Args())
    stream = out if out is not None else sys.stdout
    if args.serve is not None:
        return serve_forever(args.serve, stream)
    report = asyncio.run(
        run(
            connections=args.connections,
            duration_s=args.duration,
            warmup_s=args.warmup,
            rounds=args.rounds,
        )
    )
    stream.write(report.model_dump_json(indent=2) + "\n")
    return 0
