"""Run the comparison and print JSON: each app in its own server process, same run."""

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TextIO

from pydantic import BaseModel

from platform_core.http_benchmark.apps import PATH, AppKind
from platform_core.http_benchmark.load import Figures, measure
from platform_core.http_benchmark.server import serve_forever

STARTUP_TIMEOUT_S = 60.0


class Port(BaseModel):
    """The line a server prints once it listens."""

    port: int


class Report(BaseModel):
    """The benchmark's output: per app, the round with the median requests/s."""

    connections: int
    route: str
    rounds: int
    kit: Figures
    bare: Figures
    kit_rounds_rps: list[float]
    bare_rounds_rps: list[float]
    overhead_ratio: float
    p50_ratio: float
    p99_ratio: float


@asynccontextmanager
async def server_process(kind: AppKind, python: str) -> AsyncIterator[int]:
    """A benchmark server of `kind` in its own process; its port. Stopped with SIGTERM."""
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
        yield Port.model_validate_json(line).port
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await process.wait()


def _rate(figures: Figures) -> float:
    return figures.requests_per_s


def _median(rounds: list[Figures]) -> Figures:
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
    measured: dict[AppKind, list[Figures]] = {"kit": [], "bare": []}
    kinds: Sequence[AppKind] = ("kit", "bare")
    for _ in range(rounds):
        for kind in kinds:
            async with server_process(kind, python) as port:
                figures = await measure(
                    "127.0.0.1",
                    port,
                    PATH,
                    connections=connections,
                    duration_s=duration_s,
                    warmup_s=warmup_s,
                )
            measured[kind].append(figures)
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
