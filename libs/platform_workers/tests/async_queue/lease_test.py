"""Leases: renewed while a job runs, reclaimed when they lapse, fenced when lost.

A worker's death or stall is injected through a client that intercepts chosen scripts
(a fault-injecting subclass of the real client, on the real server).
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest

from platform_core.async_events import JobFailed
from platform_workers.async_queue import (
    JobContext,
    LeaseLostError,
    Queue,
    Task,
    WorkerSettings,
)
from platform_workers.async_queue.scripts import RENEW
from platform_workers.async_queue_testing import FAST, Echo, Echoed, Events, running, wait_until
from platform_workers.async_redis import (
    Arg,
    RedisClient,
    RedisConnectionError,
    Reply,
    Script,
)

Hook = Callable[[list[str], list[Arg]], Awaitable[Reply | None]]


class Intercepting(RedisClient):
    """The test server's client; a hook may answer a script instead of Redis."""

    def __init__(self, base: RedisClient) -> None:
        super().__init__(base.raw, socket_timeout_s=base.socket_timeout_s)
        self.hooks: dict[str, Hook] = {}

    async def eval_script(self, script: Script, keys: list[str], args: list[Arg]) -> Reply:
        hook = self.hooks.get(script.sha)
        if hook is not None:
            answer = await hook(keys, args)
            if answer is not None:
                return answer
        return await super().eval_script(script, keys, args)


async def skip_renewals(keys: list[str], args: list[Arg]) -> Reply:
    """A stalled worker: RENEW never reaches Redis (and reports every lease fine)."""
    return ["renewed", [["verdict", "ok"] for _ in keys[3:]]]


async def fail_renewals(keys: list[str], args: list[Arg]) -> Reply:
    """Redis is gone for this worker."""
    raise RedisConnectionError("injected: connection lost")


TASK = Task("hold", Echo, Echoed)


class Holds:
    """Handlers that run until released, per attempt, and count their runs."""

    def __init__(self) -> None:
        self.release = {1: asyncio.Event(), 2: asyncio.Event()}
        self.runs: list[int] = []
        self.errors: list[BaseException] = []

    async def handler(self, payload: Echo, ctx: JobContext) -> Echoed:
        self.runs.append(ctx.attempt)
        await self.release[ctx.attempt].wait()
        try:
            await ctx.progress(90)
        except LeaseLostError as exc:
            self.errors.append(exc)
            raise
        return Echoed(text=payload.text, attempt=ctx.attempt)


async def test_a_long_job_keeps_its_lease_and_runs_once(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    holds = Holds()
    job = await queue.enqueue(TASK, Echo(text="long"), user_id=1)
    async with (
        running(redis, "tours", [TASK.handler(holds.handler)], worker_id="a") as a,
    ):
        await events.reached(job.job_id, "started")
        async with running(redis, "tours", [TASK.handler(holds.handler)], worker_id="b"):
            renewals = a.worker.counts.renewals

            async def three_leases() -> bool:
                return a.worker.counts.renewals >= renewals + 9

            await wait_until(three_leases)
            holds.release[1].set()
            await events.finished(job.job_id)
    assert holds.runs == [1]
    status = await queue.status(job.job_id)
    assert status is not None
    assert [(h.worker, h.outcome) for h in status.history] == [("a", "completed")]


async def test_a_dead_workers_job_is_reclaimed_and_run_by_another(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    holds = Holds()
    holds.release[2].set()
    dying = Intercepting(redis)
    job = await queue.enqueue(TASK, Echo(text="x"), user_id=1)
    async with running(dying, "tours", [TASK.handler(holds.handler)], worker_id="a") as a:
        await events.reached(job.job_id, "started")
        dying.hooks[RENEW.script.sha] = fail_renewals
        with pytest.raises(RedisConnectionError, match="injected"):
            await a.task
    async with running(redis, "tours", [TASK.handler(holds.handler)], worker_id="b") as b:
        await events.finished(job.job_id)
    assert holds.runs == [1, 2]
    assert events.of(job.job_id) == ["started", "started", "progress", "completed"]
    status = await queue.status(job.job_id)
    assert status is not None
    assert [(h.number, h.worker, h.outcome) for h in status.history] == [
        (1, "a", "lost"),
        (2, "b", "completed"),
    ]
    assert b.worker.counts.reclaimed == 1


async def test_a_worker_that_lost_its_lease_stops_its_handler(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    holds = Holds()
    holds.release[2].set()
    stalled = Intercepting(redis)
    stalled.hooks[RENEW.script.sha] = skip_renewals
    job = await queue.enqueue(TASK, Echo(text="x"), user_id=1)
    async with running(stalled, "tours", [TASK.handler(holds.handler)], worker_id="a") as a:
        await events.reached(job.job_id, "started")
        async with running(redis, "tours", [TASK.handler(holds.handler)], worker_id="b"):
            await events.finished(job.job_id)
            del stalled.hooks[RENEW.script.sha]

            async def handler_stopped() -> bool:
                return not a.worker.held

            await wait_until(handler_stopped)
    assert holds.runs == [1, 2]
    assert holds.errors == []
    assert a.worker.counts.lost == 0
    status = await queue.status(job.job_id)
    assert status is not None
    assert [(h.worker, h.outcome) for h in status.history] == [("a", "lost"), ("b", "completed")]


async def test_a_worker_that_lost_its_lease_cannot_report_or_finish(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    holds = Holds()
    stalled = Intercepting(redis)
    stalled.hooks[RENEW.script.sha] = skip_renewals
    job = await queue.enqueue(TASK, Echo(text="x"), user_id=1)
    async with running(stalled, "tours", [TASK.handler(holds.handler)], worker_id="a") as a:
        await events.reached(job.job_id, "started")
        async with running(redis, "tours", [TASK.handler(holds.handler)], worker_id="b"):
            await events.until(lambda _: events.of(job.job_id).count("started") == 2)
            holds.release[1].set()

            async def refused() -> bool:
                return a.worker.counts.lost == 1

            await wait_until(refused)
            holds.release[2].set()
            await events.finished(job.job_id)
    assert [str(e) for e in holds.errors] == [f"job {job.job_id}: this worker no longer holds it"]
    assert events.of(job.job_id) == ["started", "started", "progress", "completed"]
    assert await queue.result(TASK, job.job_id) == Echoed(text="x", attempt=2)


async def test_a_stalled_worker_that_reclaims_its_own_lost_job_keeps_the_new_lease(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    # a stalls (its renewals never reach Redis), b reclaims the job and dies, and a
    # reclaims it back: the same stream entry, a new delivery. The run a lost must stop,
    # and its end must not make a forget the new run (whose lease it must keep renewing).
    releases = {attempt: asyncio.Event() for attempt in (1, 2, 3)}

    async def handler(payload: Echo, ctx: JobContext) -> Echoed:
        await releases[ctx.attempt].wait()
        await ctx.progress(90)
        return Echoed(text=payload.text, attempt=ctx.attempt)

    stalled, dying = Intercepting(redis), Intercepting(redis)
    stalled.hooks[RENEW.script.sha] = skip_renewals
    job = await queue.enqueue(TASK, Echo(text="x"), user_id=1)
    async with running(stalled, "tours", [TASK.handler(handler)], worker_id="a") as a:
        await events.reached(job.job_id, "started")
        [old] = a.worker.held.values()
        async with running(dying, "tours", [TASK.handler(handler)], worker_id="b") as b:
            await events.until(lambda _: events.of(job.job_id).count("started") == 2)
            dying.hooks[RENEW.script.sha] = fail_renewals
            with pytest.raises(RedisConnectionError, match="injected"):
                await b.task
        await events.until(lambda _: events.of(job.job_id).count("started") == 3)
        del stalled.hooks[RENEW.script.sha]
        releases[1].set()

        async def old_run_settled() -> bool:
            assert old.handler is not None
            return old.handler.done() and (old.stop == "lost" or a.worker.counts.lost == 1)

        await wait_until(old_run_settled)
        new = a.worker.held.get(old.entry)
        assert new is not None
        assert new.deliveries == 3
        releases[3].set()
        await events.finished(job.job_id)
    assert await queue.result(TASK, job.job_id) == Echoed(text="x", attempt=3)
    status = await queue.status(job.job_id)
    assert status is not None
    assert [(h.number, h.worker, h.outcome) for h in status.history] == [
        (1, "a", "lost"),
        (2, "b", "lost"),
        (3, "a", "completed"),
    ]


async def test_a_job_delivered_too_often_goes_to_the_dead_letter_stream(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    holds = Holds()
    config = replace(FAST, max_deliveries=1)
    dying = Intercepting(redis)
    job = await queue.enqueue(TASK, Echo(text="poison"), user_id=9)
    async with running(dying, "tours", [TASK.handler(holds.handler)], config) as a:
        await events.reached(job.job_id, "started")
        dying.hooks[RENEW.script.sha] = fail_renewals
        with pytest.raises(RedisConnectionError):
            await a.task
    async with running(redis, "tours", [TASK.handler(holds.handler)], config) as b:
        await events.finished(job.job_id)
    assert b.worker.counts.dead == 1
    assert holds.runs == [1]
    message = "dead-lettered: delivered 2 times without finishing (max 1)"
    assert events.event(job.job_id, "failed") == JobFailed(
        domain="tours", job_id=job.job_id, user_id=9, error_kind="system", message=message
    )
    status = await queue.status(job.job_id)
    assert status is not None
    assert (status.status, status.error_kind, status.error) == ("failed", "system", message)
    assert [h.outcome for h in status.history] == ["lost"]
    [dead] = await queue.dead_letters()
    assert (dead.job_id, dead.task, dead.user_id, dead.deliveries, dead.reason) == (
        job.job_id,
        "hold",
        9,
        2,
        message,
    )


def test_worker_settings_are_checked() -> None:
    base = WorkerSettings(queue="orders")
    checks: list[tuple[str, Callable[[], WorkerSettings]]] = [
        ("concurrency", lambda: replace(base, concurrency=0)),
        ("lease_ms", lambda: replace(base, lease_ms=10)),
        ("max_deliveries", lambda: replace(base, max_deliveries=0)),
        ("block_ms", lambda: replace(base, block_ms=0)),
        ("poll_ms", lambda: replace(base, poll_ms=0)),
        ("dead_maxlen", lambda: replace(base, dead_maxlen=0)),
        ("reclaim_scan", lambda: replace(base, reclaim_scan=0)),
        ("delayed_batch", lambda: replace(base, delayed_batch=0)),
        ("prune_every", lambda: replace(base, prune_every=0)),
        ("events_maxlen", lambda: replace(base, events_maxlen=0)),
        ("grace_period_s", lambda: replace(base, grace_period_s=-1.0)),
        ("cancel_wait_s", lambda: replace(base, cancel_wait_s=-1.0)),
    ]
    for name, bad in checks:
        with pytest.raises(ValueError, match=f"{name} must be at least"):
            bad()
    with pytest.raises(ValueError, match="must be positive"):
        replace(base, socket_timeout_s=0.0)
    with pytest.raises(ValueError, match="must be positive"):
        replace(base, control_poll_s=0.0)
    with pytest.raises(ValueError, match=r"below the client.s socket timeout \(1\.0 s\)"):
        replace(base, socket_timeout_s=1.0)
    with pytest.raises(ValueError, match="invalid domain"):
        replace(base, queue="Q R")
    assert replace(base, lease_ms=3_000).renew_s == 1.0
