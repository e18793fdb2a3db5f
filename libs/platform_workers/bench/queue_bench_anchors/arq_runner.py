"""arq's runner: enqueue no-op jobs, then run them with one arq worker; print the report.

Same workload and report as queue_bench/ours.py (one JSON line on stdout). arq polls its
queue every `poll_delay` seconds (0.5 by default); `--poll-delay` sets it.
"""

import argparse
import asyncio
import json
import sys
import time

from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker

from queue_bench_anchors.counting import RoundTrips

ENQUEUE_CONCURRENCY = 100


async def noop(ctx, n):
    return n


async def measure(url, jobs, concurrency, poll_delay):
    RoundTrips.install()
    settings = RedisSettings.from_dsn(url)
    redis = await create_pool(settings)
    gate = asyncio.Semaphore(ENQUEUE_CONCURRENCY)

    async def enqueue(n):
        async with gate:
            await redis.enqueue_job("noop", n)

    start = time.perf_counter()
    await asyncio.gather(*(enqueue(n) for n in range(jobs)))
    enqueue_s = time.perf_counter() - start
    enqueue_round_trips = RoundTrips.count
    await redis.aclose()

    finished = asyncio.Event()
    done = [0]

    async def after_job_end(ctx):
        done[0] += 1
        if done[0] == jobs:
            finished.set()

    worker = Worker(
        functions=[noop],
        redis_settings=settings,
        max_jobs=concurrency,
        poll_delay=poll_delay,
        after_job_end=after_job_end,
        handle_signals=False,
    )
    before = RoundTrips.count
    start = time.perf_counter()
    run = asyncio.create_task(worker.main())
    await finished.wait()
    process_s = time.perf_counter() - start
    worker_round_trips = RoundTrips.count - before
    run.cancel()
    await asyncio.gather(run, return_exceptions=True)
    await worker.close()
    return {
        "jobs": jobs,
        "concurrency": concurrency,
        "enqueue_s": enqueue_s,
        "process_s": process_s,
        "enqueue_round_trips": enqueue_round_trips,
        "worker_round_trips": worker_round_trips,
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--poll-delay", type=float, default=0.5)
    args = parser.parse_args(argv)
    report = asyncio.run(measure(args.url, args.jobs, args.concurrency, args.poll_delay))
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
