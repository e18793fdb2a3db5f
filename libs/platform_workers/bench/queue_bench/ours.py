"""This queue's runner: enqueue no-op jobs, then run them with one worker; print the report.

bazel run //libs/platform_workers/bench:queue_bench_ours -- --url redis://127.0.0.1:6379/0
"""

import argparse
import asyncio
import sys
import time
from typing import IO

from pydantic import BaseModel

from platform_workers.async_queue import JobContext, Queue, Task, Worker, WorkerSettings
from platform_workers.async_queue_testing import wait_until
from platform_workers.async_redis import open_redis
from queue_bench.report import RunnerReport

ENQUEUE_CONCURRENCY = 100


class Noop(BaseModel):
    """The payload: a number."""

    n: int


class Done(BaseModel):
    """The result: the same number."""

    n: int


NOOP = Task("noop", Noop, Done)


async def noop(payload: Noop, ctx: JobContext) -> Done:
    """Does nothing."""
    return Done(n=payload.n)


async def measure(url: str, jobs: int, concurrency: int) -> RunnerReport:
    """Enqueue `jobs` jobs (100 at a time), then process them with one worker."""
    async with open_redis(url) as redis:
        queue = Queue(redis, "orders")
        gate = asyncio.Semaphore(ENQUEUE_CONCURRENCY)

        async def enqueue(n: int) -> None:
            async with gate:
                await queue.enqueue(NOOP, Noop(n=n), user_id=0)

        start = time.perf_counter()
        await asyncio.gather(*(enqueue(n) for n in range(jobs)))
        enqueue_s = time.perf_counter() - start
        enqueue_round_trips = redis.stats.round_trips
    async with open_redis(url) as redis:
        worker = Worker(
            redis, WorkerSettings(queue="orders", concurrency=concurrency), [NOOP.handler(noop)]
        )
        stop = asyncio.Event()
        run = asyncio.create_task(worker.run(stop))
        await worker.ready.wait()
        before = redis.stats.round_trips
        start = time.perf_counter()

        async def all_done() -> bool:
            return worker.counts.completed == jobs or run.done()

        await wait_until(all_done, timeout_s=3_600)
        process_s = time.perf_counter() - start
        worker_round_trips = redis.stats.round_trips - before
        stop.set()
        await run
    return RunnerReport(
        jobs=jobs,
        concurrency=concurrency,
        enqueue_s=enqueue_s,
        process_s=process_s,
        enqueue_round_trips=enqueue_round_trips,
        worker_round_trips=worker_round_trips,
    )


class Args(argparse.Namespace):
    """The command line, typed."""

    url: str
    jobs: int
    concurrency: int


def main(argv: list[str], out: IO[str] = sys.stdout) -> int:
    """Run and print the report as one line of JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args(argv, namespace=Args())
    report = asyncio.run(measure(args.url, args.jobs, args.concurrency))
    out.write(report.model_dump_json() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
