"""A worker process for processes_test.py: `python worker_process.py <redis_url> <grace_s>`.

Runs task `work` on queue `tours` with short leases; each run of a job is counted
in the hash `test:runs`. Mode `poison` kills the process (SIGKILL) from inside the
handler; `hang` never returns.
"""

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Literal

from pydantic import BaseModel

from platform_workers.async_queue import JobContext, Task, WorkerSettings, run_worker
from platform_workers.async_redis import RedisClient, commands, open_redis


class Work(BaseModel):
    """How long to work, or how to misbehave."""

    ms: int
    mode: Literal["work", "poison", "hang"] = "work"


class Done(BaseModel):
    """Which process did it."""

    pid: int


WORK = Task("work", Work, Done)


def handler(redis: RedisClient) -> Callable[[Work, JobContext], Awaitable[Done]]:
    """The `work` handler, counting runs through `redis`."""

    async def work(payload: Work, ctx: JobContext) -> Done:
        await redis.run(commands.raw("HINCRBY", "test:runs", ctx.job_id, 1))
        if payload.mode == "poison":
            os.kill(os.getpid(), signal.SIGKILL)
        if payload.mode == "hang":
            await asyncio.Event().wait()
        await asyncio.sleep(payload.ms / 1000)
        return Done(pid=os.getpid())

    return work


async def main(redis_url: str, grace_s: float) -> None:
    """Run the worker until SIGTERM."""
    settings = WorkerSettings(
        queue="tours",
        concurrency=4,
        lease_ms=1_000,
        poll_ms=100,
        block_ms=200,
        max_deliveries=2,
        grace_period_s=grace_s,
    )
    async with open_redis(redis_url) as redis:
        await run_worker(redis_url, settings, [WORK.handler(handler(redis))])


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2])))
