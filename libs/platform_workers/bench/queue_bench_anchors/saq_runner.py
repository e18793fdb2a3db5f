"""saq's runner: enqueue no-op jobs, then run them with one saq worker; print the report.

Same workload and report as queue_bench/ours.py (one JSON line on stdout).
"""

import argparse
import asyncio
import json
import sys
import time

from saq import Queue, Worker

from queue_bench_anchors.counting import RoundTrips

ENQUEUE_CONCURRENCY = 100


async def noop(ctx, *, n):
    return n


async def measure(url, jobs, concurrency):
    RoundTrips.install()
    queue = Queue.from_url(url)
    await queue.connect()
    gate = asyncio.Semaphore(ENQUEUE_CONCURRENCY)

    async def enqueue(n):
        async with gate:
            await queue.enqueue("noop", n=n)

    start = time.perf_counter()
    await asyncio.gather(*(enqueue(n) for n in range(jobs)))
    enqueue_s = time.perf_counter() - start
    enqueue_round_trips = RoundTrips.count

    finished = asyncio.Event()
    done = [0]

    async def after_process(ctx):
        done[0] += 1
        if done[0] == jobs:
            finished.set()

    worker = Worker(queue, functions=[noop], concurrency=concurrency, after_process=after_process)
    before = RoundTrips.count
    start = time.perf_counter()
    run = asyncio.create_task(worker.start())
    await finished.wait()
    process_s = time.perf_counter() - start
    worker_round_trips = RoundTrips.count - before
    await worker.stop()
    run.cancel()
    await queue.disconnect()
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
    args = parser.parse_args(argv)
    report = asyncio.run(measure(args.url, args.jobs, args.concurrency))
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
