"""The queue benchmark: every runner, one after the other, on one private redis-server.

    bazel run //libs/platform_workers:queue_benchmark [-- --jobs 20000 --concurrency 10]

Runners are given as `--runner NAME=PATH[,ARG...]` (the BUILD target passes this queue's,
saq's and arq's); the first is this queue, the others its anchors. Before each runner the
server is emptied and its command statistics reset. Prints the figures as JSON, then (with
`--markdown`) the same as a Markdown table.
"""

import argparse
import asyncio
import os
import pathlib
import sys
import tempfile
from dataclasses import dataclass
from typing import IO

from platform_workers.async_redis import RedisClient, commands, open_redis
from platform_workers.testing.redis_server import RedisServer
from queue_bench.report import (
    Benchmark,
    Row,
    RunnerReport,
    command_calls,
    goal,
    markdown,
    median,
    row,
)


class BenchmarkError(RuntimeError):
    """A runner failed or reported something unreadable."""


@dataclass(frozen=True, slots=True)
class Runner:
    """A runner program: its name in the table, its path and its extra arguments."""

    name: str
    path: str
    args: tuple[str, ...]

    @classmethod
    def parse(cls, spec: str) -> "Runner":
        """`NAME=PATH[,ARG...]`."""
        name, sep, rest = spec.partition("=")
        if not sep or not name or not rest:
            raise ValueError(f"a runner is NAME=PATH[,ARG...], got {spec!r}")
        path, *args = rest.split(",")
        return cls(name, path, tuple(args))


async def run_one(runner: Runner, url: str, jobs: int, concurrency: int) -> RunnerReport:
    """Run one runner process to its end and read its report."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    process = await asyncio.create_subprocess_exec(
        runner.path,
        "--url",
        url,
        "--jobs",
        str(jobs),
        "--concurrency",
        str(concurrency),
        *runner.args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    stdout, stderr = await process.communicate()
    if process.returncode != 0:
        raise BenchmarkError(
            f"runner {runner.name} exited with {process.returncode}: {stderr.decode()[-2000:]}"
        )
    lines = stdout.decode().strip().splitlines()
    if not lines:
        raise BenchmarkError(f"runner {runner.name} printed no report")
    return RunnerReport.model_validate_json(lines[-1])


async def _info(redis: RedisClient, section: str) -> str:
    return str(await redis.run(commands.raw("INFO", section)))


async def measure(
    url: str, runners: list[Runner], jobs: int, concurrency: int, rounds: int = 1
) -> Benchmark:
    """Run the runners `rounds` times, in turn, on the empty server at `url`.

    Each queue's row is its run with the median processed jobs/s.
    """
    runs: dict[str, list[Row]] = {runner.name: [] for runner in runners}
    async with open_redis(url) as redis:
        server = await _info(redis, "server")
        version = next(
            line.partition(":")[2]
            for line in server.splitlines()
            if line.startswith("redis_version:")
        )
        for _ in range(rounds):
            for runner in runners:
                await redis.run(commands.raw("FLUSHALL"))
                await redis.run(commands.raw("CONFIG", "RESETSTAT"))
                report = await run_one(runner, url, jobs, concurrency)
                calls = command_calls(await _info(redis, "commandstats"))
                runs[runner.name].append(row(runner.name, report, calls))
    rows = [median(each) for each in runs.values()]
    return Benchmark(
        rounds=rounds,
        jobs=jobs,
        concurrency=concurrency,
        redis_version=version,
        rows=rows,
        goal=goal(rows[0], rows[1:]) if len(rows) > 1 else None,
    )


class Args(argparse.Namespace):
    """The command line, typed."""

    runner: list[str]
    jobs: int
    concurrency: int
    rounds: int
    markdown: bool


def parse_args(argv: list[str]) -> Args:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runner", action="append", default=list[str](), required=True)
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument(
        "--rounds", type=int, default=1, help="runs per queue, in turn; the median is shown"
    )
    parser.add_argument("--markdown", action="store_true")
    return parser.parse_args(argv, namespace=Args())


def main(argv: list[str], out: IO[str] = sys.stdout) -> int:
    """Start a private redis-server, run the benchmark, print the figures."""
    args = parse_args(argv)
    runners = [Runner.parse(spec) for spec in args.runner]
    with tempfile.TemporaryDirectory() as workdir, RedisServer(pathlib.Path(workdir)) as server:
        result = asyncio.run(measure(server.url, runners, args.jobs, args.concurrency, args.rounds))
    out.write(result.model_dump_json(indent=2) + "\n")
    if args.markdown:
        out.write("\n" + markdown(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
