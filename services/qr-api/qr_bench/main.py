"""`bazel run //services/qr-api:benchmark [-- --connections 64 --duration 10 --kind png]`.

Starts qr-api in a child process on a loopback port, waits until `/readyz` answers 200
(the server's first request, left out of the figures), measures it (see
`qr_bench.load`) and prints the figures as JSON on stdout.
"""

import argparse
import asyncio
import sys
from typing import IO

from platform_core.loadgen import LOOPBACK, child_server, free_port, inherited_env, python_module
from qr_bench.load import Kind, run_benchmark

KINDS: tuple[Kind, ...] = ("png", "svg")


class Args(argparse.Namespace):
    """The command line, typed."""

    connections: int
    duration: float
    kind: Kind
    workers: int | None
    idle_probes: int
    probe_interval: float
    ready_timeout: float


def parse_args(argv: list[str]) -> Args:
    """The benchmark's options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of render load")
    parser.add_argument("--kind", choices=KINDS, default="png", help="image format")
    parser.add_argument("--workers", type=int, default=None, help="QR_RENDER_WORKERS")
    parser.add_argument("--idle-probes", type=int, default=200, help="idle /healthz samples")
    parser.add_argument(
        "--probe-interval", type=float, default=0.01, help="seconds between /healthz probes"
    )
    parser.add_argument("--ready-timeout", type=float, default=60.0, help="server start limit")
    return parser.parse_args(argv, namespace=Args())


async def run(args: Args, out: IO[str]) -> int:
    """Start the server, measure it, stop it, print the figures."""
    port = free_port()
    env = {"LOG_LEVEL": "WARNING", "HOST": LOOPBACK, "PORT": str(port)}
    if args.workers is not None:
        env["QR_RENDER_WORKERS"] = str(args.workers)
    async with child_server(
        python_module("qr_api.server"),
        port=port,
        env=inherited_env(env),
        ready_path="/readyz",
        ready_timeout_s=args.ready_timeout,
    ):
        result = await run_benchmark(
            LOOPBACK,
            port,
            connections=args.connections,
            duration_s=args.duration,
            kind=args.kind,
            idle_probes=args.idle_probes,
            probe_interval_s=args.probe_interval,
        )
    out.write(result.model_dump_json(indent=2) + "\n")
    return 0


def main(argv: list[str], out: IO[str] = sys.stdout) -> int:
    """Run the benchmark and print its JSON figures to `out`."""
    return asyncio.run(run(parse_args(argv), out))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
