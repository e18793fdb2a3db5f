"""Concurrency, graceful shutdown, the worker registry, and workers that must stop."""

import asyncio
import logging
import os
import signal
from dataclasses import replace
from typing import TypeVar

import pytest

from platform_workers.async_queue import (
    JobContext,
    Queue,
    Task,
    Worker,
    WorkerRecord,
    WorkerSettings,
    run_worker,
)
from platform_workers.async_queue.scripts import RENEW
from platform_workers.async_queue_testing import (
    ECHO,
    FAST,
    Echo,
    Echoed,
    Events,
    echo,
    running,
    wait_until,
)
from platform_workers.async_redis import (
    Arg,
    RedisClient,
    RedisConnectionError,
    Reply,
    Script,
    commands,
)

T = TypeVar("T")

TASK = Task("busy", Echo, Echoed)


async def test_at_most_concurrency_jobs_run_at_once(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    now_running: list[int] = [0]
    peak: list[int] = [0]
    gate = asyncio.Event()

    async def busy(payload: Echo, ctx: JobContext) -> Echoed:
        now_running[0] += 1
        peak[0] = max(peak[0], now_running[0])
        await gate.wait()
        now_running[0] -= 1
        return Echoed(text=payload.text, attempt=ctx.attempt)

    jobs = [await queue.enqueue(TASK, Echo(text=str(n)), user_id=1) for n in range(9)]
    async with running(redis, "tours", [TASK.handler(busy)], replace(FAST, concurrency=3)):

        async def three_running() -> bool:
            return now_running[0] == 3

        await wait_until(three_running)
        gate.set()
        await events.finished(*(job.job_id for job in jobs))
    assert peak[0] == 3


async def test_graceful_shutdown_finishes_what_it_can_and_requeues_the_rest(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    async def quick_or_stuck(payload: Echo, ctx: JobContext) -> Echoed:
        if payload.text == "stuck" and ctx.attempt == 1:
            await asyncio.Event().wait()
        else:
            await stopping.wait()
        return Echoed(text=payload.text, attempt=ctx.attempt)

    stopping = asyncio.Event()
    quick = await queue.enqueue(TASK, Echo(text="quick"), user_id=1)
    stuck = await queue.enqueue(TASK, Echo(text="stuck"), user_id=1)
    config = replace(FAST, grace_period_s=0.2)
    async with running(redis, "tours", [TASK.handler(quick_or_stuck)], config) as worker:
        await events.until(lambda _: len(events.seen) == 2)
        assert await queue.live_workers() == 1
        worker.stop_event.set()

        async def begun() -> bool:
            return worker.worker.stopping

        await wait_until(begun)
        stopping.set()
        await worker.task
    assert worker.worker.counts.completed == 1
    assert worker.worker.counts.requeued == 1
    await events.finished(quick.job_id)
    assert events.of(quick.job_id) == ["started", "completed"]
    assert events.of(stuck.job_id) == ["started"]
    status = await queue.status(stuck.job_id)
    assert status is not None
    assert (status.status, status.attempts) == ("queued", 1)
    assert [h.outcome for h in status.history] == ["interrupted"]
    assert await redis.run(commands.xlen(queue.keys.stream)) == 1
    assert await queue.live_workers() == 0
    assert await redis.run(commands.raw("XINFO", "CONSUMERS", queue.keys.stream, "workers")) == []
    async with running(redis, "tours", [TASK.handler(quick_or_stuck)]):
        await events.finished(stuck.job_id)
    assert await queue.result(TASK, stuck.job_id) == Echoed(text="stuck", attempt=2)


class FailingRenewals(RedisClient):
    """The test server's client, whose RENEW calls fail once `failing` is set."""

    failing = False

    async def eval_script(self, script: Script, keys: list[str], args: list[Arg]) -> Reply:
        if self.failing and script is RENEW.script:
            raise RedisConnectionError("injected: connection lost")
        return await super().eval_script(script, keys, args)


async def test_a_redis_failure_during_the_grace_period_stops_the_worker_at_once(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    # A stopping worker whose lease renewals fail must not keep running its handlers
    # (their leases lapse, and other workers run the jobs): it stops at once and leaves
    # the jobs pending for reclaim, as a failure outside a shutdown does.
    async def stuck(payload: Echo, ctx: JobContext) -> Echoed:
        await asyncio.Event().wait()
        return Echoed(text=payload.text, attempt=ctx.attempt)

    client = FailingRenewals(redis.raw, socket_timeout_s=redis.socket_timeout_s)
    job = await queue.enqueue(TASK, Echo(text="x"), user_id=1)
    config = replace(FAST, grace_period_s=30.0)
    async with running(client, "tours", [TASK.handler(stuck)], config) as worker:
        await events.reached(job.job_id, "started")
        worker.stop_event.set()

        async def begun() -> bool:
            return worker.worker.stopping

        await wait_until(begun)
        client.failing = True
        with pytest.raises(RedisConnectionError, match="injected"):
            await worker.task
    status = await queue.status(job.job_id)
    assert status is not None
    assert (status.status, status.history) == ("processing", ())
    [pending] = await redis.xpending(queue.keys.stream, "workers", count=10)
    assert pending.consumer == worker.worker.id


async def test_entries_read_while_stopping_go_back_to_the_queue(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    worker_box: list[Worker] = []
    stop = asyncio.Event()

    class StopsAfterRead(RedisClient):
        async def run(self, command: commands.Command[commands.T]) -> commands.T:
            result = await super().run(command)
            if command.name == "XREADGROUP" and result:
                stop.set()
                worker = worker_box[0]

                async def begun() -> bool:
                    return worker.stopping

                await wait_until(begun)
            return result

    client = StopsAfterRead(redis.raw, socket_timeout_s=redis.socket_timeout_s)
    worker = Worker(client, replace(FAST, queue="tours"), [ECHO.handler(echo)])
    worker_box.append(worker)
    running_task = asyncio.create_task(worker.run(stop))
    await worker.ready.wait()
    job = await queue.enqueue(ECHO, Echo(text="late"), user_id=1)
    await running_task
    assert worker.counts.requeued == 1
    status = await queue.status(job.job_id)
    assert status is not None
    assert (status.status, status.attempts, status.history) == ("queued", 0, ())
    assert events.of(job.job_id) == []
    async with running(redis, "tours", [ECHO.handler(echo)]):
        await events.finished(job.job_id)


async def test_a_worker_runs_once_and_needs_sane_handlers(redis: RedisClient) -> None:
    settings = replace(FAST, queue="tours")
    with pytest.raises(ValueError, match="at least one task handler"):
        Worker(redis, settings, [])
    with pytest.raises(ValueError, match="two handlers for task 'echo'"):
        Worker(redis, settings, [ECHO.handler(echo), ECHO.handler(echo)])
    with pytest.raises(ValueError, match="events route of orders given to queue tours"):
        Queue(redis, "tours", route=Queue(redis, "orders").route)
    for slow in (replace(settings, block_ms=2_000), replace(settings, control_poll_s=2.0)):
        with pytest.raises(ValueError, match=r"below the client.s socket timeout \(2\.0 s\)"):
            Worker(redis, slow, [ECHO.handler(echo)])
    async with running(redis, "tours", [ECHO.handler(echo)]) as worker:
        with pytest.raises(RuntimeError, match="a worker runs once"):
            await worker.worker.run(asyncio.Event())


async def test_the_registry_holds_live_workers_and_forgets_dead_ones(
    redis: RedisClient, queue: Queue
) -> None:
    await redis.run(commands.xgroup_create(queue.keys.stream, "workers", start_id="0"))
    await redis.run(commands.raw("XGROUP", "CREATECONSUMER", queue.keys.stream, "workers", "ghost"))
    config = replace(FAST, prune_every=1)
    async with running(redis, "tours", [ECHO.handler(echo)], config, worker_id="w1"):
        assert await queue.live_workers() == 1
        record = await redis.get(queue.keys.worker("w1"))
        assert record is not None
        parsed = WorkerRecord.model_validate_json(record)
        assert (parsed.worker, parsed.pid, parsed.concurrency, parsed.tasks) == (
            "w1",
            os.getpid(),
            4,
            ["echo"],
        )

        async def ghost_pruned() -> bool:
            info = await redis.run(commands.raw("XINFO", "CONSUMERS", queue.keys.stream, "workers"))
            return isinstance(info, list) and len(info) == 1

        await wait_until(ghost_pruned)
    await redis.run(commands.zadd(queue.keys.workers, {"dead": 1.0}))
    assert await queue.live_workers() == 0


async def test_run_worker_stops_gracefully_on_sigterm(redis_url: str, redis: RedisClient) -> None:
    queue = Queue(redis, "tours")
    events = Events(redis, "tours")
    settings = WorkerSettings(queue="tours", lease_ms=600, poll_ms=50)
    worker = asyncio.create_task(run_worker(redis_url, settings, [ECHO.handler(echo)]))

    async def live() -> bool:
        return await queue.live_workers() == 1

    await wait_until(live)
    job = await queue.enqueue(ECHO, Echo(text="x"), user_id=1)
    await events.finished(job.job_id)
    os.kill(os.getpid(), signal.SIGTERM)
    counts = await worker
    assert counts.completed == 1
    assert await queue.live_workers() == 0
    stop = asyncio.Event()
    stop.set()
    again = await run_worker(redis_url, settings, [ECHO.handler(echo)], stop=stop)
    assert again.started == 0


class FailsTogether(RedisClient):
    """Once `armed`, the fetch loop's read and the renew loop's RENEW each wait at `gate`
    and then fail: two loops that fail in the same step."""

    def __init__(self, base: RedisClient) -> None:
        super().__init__(base.raw, socket_timeout_s=base.socket_timeout_s)
        self.armed = False
        self.waiting: list[str] = []
        self.gate = asyncio.Event()

    async def _fail(self, name: str) -> None:
        self.waiting.append(name)
        await self.gate.wait()
        raise RedisConnectionError(f"injected: {name}")

    async def run(self, command: commands.Command[T]) -> T:
        if self.armed and command.name == "XREADGROUP":
            await self._fail("read")
        return await super().run(command)

    async def eval_script(self, script: Script, keys: list[str], args: list[Arg]) -> Reply:
        if self.armed and script is RENEW.script:
            await self._fail("renew")
        return await super().eval_script(script, keys, args)


async def test_a_failing_worker_logs_every_other_failure(
    redis: RedisClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = FailsTogether(redis)
    worker = Worker(client, replace(FAST, queue="tours"), [ECHO.handler(echo)], worker_id="w")
    stop = asyncio.Event()
    run = asyncio.create_task(worker.run(stop))
    await worker.ready.wait()
    client.armed = True

    async def both_waiting() -> bool:
        return len(client.waiting) == 2

    await wait_until(both_waiting)
    with caplog.at_level(logging.ERROR):
        client.gate.set()
        with pytest.raises(RedisConnectionError, match="injected: read"):
            await run
    also = [r.getMessage() for r in caplog.records if "also failed" in r.getMessage()]
    assert also == ["worker w: w renew also failed"]
    assert sorted(client.waiting) == ["read", "renew"]
