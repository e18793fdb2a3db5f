"""Worker processes: SIGKILL loses no job and runs no live job twice; poison jobs are
dead-lettered; SIGTERM shuts a worker down gracefully. (worker_process.py is the worker.)
"""

import asyncio
import os
import pathlib
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from pydantic import BaseModel

from platform_core.async_events import JobCompleted, JobFailed
from platform_workers.async_queue import Queue, Task
from platform_workers.async_queue_testing import Events, wait_until
from platform_workers.async_redis import RedisClient, commands

WORKER = pathlib.Path(__file__).with_name("worker_process.py")


class Work(BaseModel):
    """worker_process.Work."""

    ms: int
    mode: Literal["work", "poison", "hang"] = "work"


class Done(BaseModel):
    """worker_process.Done."""

    pid: int


WORK = Task("work", Work, Done)


class Processes:
    """Worker processes started by a test, all killed when it ends."""

    def __init__(self, redis_url: str, tmp: pathlib.Path) -> None:
        self.redis_url = redis_url
        self.tmp = tmp
        self.started: list[asyncio.subprocess.Process] = []

    async def start(self, grace_s: float = 5.0) -> asyncio.subprocess.Process:
        """Start one worker process."""
        log = (self.tmp / f"worker-{len(self.started)}.log").open("wb")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            self.redis_url,
            str(grace_s),
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        log.close()
        self.started.append(process)
        return process

    def logs(self) -> str:
        """Every worker's output (for failure messages)."""
        return "\n".join(p.read_text() for p in sorted(self.tmp.glob("worker-*.log")))


@asynccontextmanager
async def processes(redis_url: str, tmp: pathlib.Path) -> AsyncIterator[Processes]:
    """Worker processes, SIGKILLed at the end if still running."""
    started = Processes(redis_url, tmp)
    try:
        yield started
    finally:
        for process in started.started:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def exits(process: asyncio.subprocess.Process, timeout_s: float = 30.0) -> int:
    """The process's exit status, once it has exited."""
    async with asyncio.timeout(timeout_s):
        return await process.wait()


async def holding(redis: RedisClient, queue: Queue, pid: int) -> int:
    """How many jobs the worker process `pid` holds (pending in the consumer group)."""
    summary = await redis.xpending_summary(queue.keys.stream, "workers")
    return sum(n for name, n in summary.consumers.items() if f":{pid}:" in name)


async def runs(redis: RedisClient) -> dict[str, int]:
    """How often each job's handler ran, by job id."""
    return {job: int(n) for job, n in (await redis.hgetall("test:runs")).items()}


async def test_a_sigkilled_worker_loses_nothing_and_no_live_job_runs_twice(
    redis_url: str, redis: RedisClient, queue: Queue, events: Events, tmp_path: pathlib.Path
) -> None:
    jobs = [
        (await queue.enqueue(WORK, Work(ms=100 + 50 * (n % 5)), user_id=n)).job_id
        for n in range(60)
    ]
    async with processes(redis_url, tmp_path) as workers:
        victim = await workers.start()
        await workers.start()
        await workers.start()

        async def all_live() -> bool:
            return await queue.live_workers() == 3

        async def victim_busy() -> bool:
            return await holding(redis, queue, victim.pid) >= 2

        await wait_until(all_live, timeout_s=30)

        await wait_until(victim_busy, timeout_s=30)
        victim.send_signal(signal.SIGKILL)
        assert await exits(victim) == -signal.SIGKILL
        try:
            await events.finished(*jobs, timeout_s=60)
        except TimeoutError as exc:
            raise AssertionError(workers.logs()) from exc
        survivors = workers.started[1:]
        for process in survivors:
            process.send_signal(signal.SIGTERM)
        assert [await exits(p) for p in survivors] == [0, 0], workers.logs()

    completed = [e.job_id for e in events.seen if isinstance(e, JobCompleted)]
    assert sorted(completed) == sorted(jobs)  # each job completed exactly once
    assert not [e for e in events.seen if isinstance(e, JobFailed)]
    counted = await runs(redis)
    lost = 0
    for job in jobs:
        status = await queue.status(job)
        assert status is not None
        assert status.status == "completed"
        history = [(h.worker, h.outcome) for h in status.history]
        if history[0][1] == "lost":  # the victim held it: run again elsewhere
            lost += 1
            assert f":{victim.pid}:" in history[0][0]
            assert [outcome for _, outcome in history] == ["lost", "completed"]
            assert 1 <= counted[job] <= 2
        else:  # never run twice
            assert [outcome for _, outcome in history] == ["completed"]
            assert counted[job] == 1
    assert lost >= 2
    assert await queue.live_workers() == 0
    assert await redis.run(commands.xlen(queue.keys.stream)) == 0


async def test_a_poison_job_that_kills_its_workers_is_dead_lettered(
    redis_url: str, redis: RedisClient, queue: Queue, events: Events, tmp_path: pathlib.Path
) -> None:
    poison = await queue.enqueue(WORK, Work(ms=0, mode="poison"), user_id=6)
    async with processes(redis_url, tmp_path) as workers:
        for _ in range(2):  # max_deliveries=2: two workers die running it
            assert await exits(await workers.start()) == -signal.SIGKILL
        last = await workers.start()
        normal = await queue.enqueue(WORK, Work(ms=0), user_id=6)
        await events.finished(poison.job_id, normal.job_id, timeout_s=30)
        last.send_signal(signal.SIGTERM)
        assert await exits(last) == 0, workers.logs()
    assert events.of(poison.job_id) == ["started", "started", "failed"]
    [dead] = await queue.dead_letters()
    assert (dead.job_id, dead.deliveries) == (poison.job_id, 3)
    status = await queue.status(poison.job_id)
    assert status is not None
    assert status.status == "failed"
    assert [h.outcome for h in status.history] == ["lost", "lost"]
    assert (await runs(redis))[poison.job_id] == 2


async def test_sigterm_finishes_running_jobs_within_the_grace_period(
    redis_url: str, redis: RedisClient, queue: Queue, events: Events, tmp_path: pathlib.Path
) -> None:
    short = [(await queue.enqueue(WORK, Work(ms=300), user_id=1)).job_id for _ in range(2)]
    hung = await queue.enqueue(WORK, Work(ms=0, mode="hang"), user_id=1)
    async with processes(redis_url, tmp_path) as workers:
        # The grace period is many times the short jobs' 300 ms so that they finish within
        # it even on a loaded machine; the hung job is interrupted when it runs out.
        worker = await workers.start(grace_s=5.0)
        await events.until(lambda seen: len(seen) == 3, timeout_s=30)
        worker.send_signal(signal.SIGTERM)
        assert await exits(worker) == 0, workers.logs()
    await events.finished(*short)
    status = await queue.status(hung.job_id)
    assert status is not None
    assert (status.status, [h.outcome for h in status.history]) == ("queued", ["interrupted"])
    assert await queue.live_workers() == 0
