"""Cancellation: a queued job never runs; a running job's handler is cancelled."""

import asyncio
import json
from dataclasses import replace
from datetime import timedelta

from platform_core.async_events import JobFailed, JobStarted, encode_event
from platform_workers.async_queue import JobContext, Queue, Task
from platform_workers.async_queue.keys import GROUP
from platform_workers.async_queue.scripts import (
    ENSURE_GROUP,
    START,
    GroupArgs,
    StartArgs,
    StartKeys,
    StreamKeys,
)
from platform_workers.async_queue_testing import (
    ECHO,
    FAST,
    Echo,
    Echoed,
    Events,
    echo,
    running,
)
from platform_workers.async_redis import RedisClient, commands


async def ghost_start(redis: RedisClient, queue: Queue, consumer: str = "ghost") -> str:
    """A worker named `consumer` takes the next job and starts it, then dies (never renews)."""
    keys, route = queue.keys, queue.route
    await ENSURE_GROUP(redis, StreamKeys(stream=keys.stream), GroupArgs(group=GROUP, start="0"))
    batches = await redis.xreadgroup(GROUP, consumer, {keys.stream: ">"}, count=1)
    entry = batches[0].entries[0]
    fields = entry.fields or {}
    job_id = fields["job"]
    started = encode_event(
        JobStarted(domain=queue.domain, job_id=job_id, user_id=int(fields["user"]), queue="x")
    )
    row: dict[str, str | int] = {
        "entry": entry.id,
        "deliveries": 1,
        "job_id": job_id,
        "mode": "run",
        "event": started,
        "message": "",
    }
    rows = [row]
    await START(
        redis,
        StartKeys(stream=keys.stream, events=route.stream, dead=keys.dead),
        StartArgs(
            route=route.lua_arg,
            group=GROUP,
            consumer=consumer,
            dead_cap=10,
            limit=100,
            jobs=json.dumps(rows),
        ),
        each=[keys.job(job_id)],
    )
    return entry.id


async def blocking_handler(payload: Echo, ctx: JobContext) -> Echoed:
    """Waits until cancelled."""
    await asyncio.Event().wait()
    return Echoed(text="", attempt=0)


WAIT = Task("wait", Echo, Echoed)


async def test_a_cancelled_queued_job_never_runs(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    doomed = await queue.enqueue(ECHO, Echo(text="no"), user_id=4)
    assert await queue.cancel(doomed.job_id, reason="changed my mind") == "cancelled"
    other = await queue.enqueue(ECHO, Echo(text="yes"), user_id=4)
    async with running(redis, "tours", [ECHO.handler(echo)]):
        await events.finished(doomed.job_id, other.job_id)
    assert events.of(doomed.job_id) == ["failed"]
    failed = events.event(doomed.job_id, "failed")
    assert failed == JobFailed(
        domain="tours",
        job_id=doomed.job_id,
        user_id=4,
        error_kind="user",
        message="cancelled: changed my mind",
    )
    status = await queue.status(doomed.job_id)
    assert status is not None
    assert (status.status, status.attempts, status.history) == ("failed", 0, ())
    assert status.cancel_requested == "changed my mind"
    assert await redis.run(commands.xlen(queue.keys.stream)) == 0
    assert await queue.cancel(doomed.job_id) == "finished"
    assert await queue.cancel("unknown") == "missing"


async def test_a_cancelled_delayed_job_never_runs(queue: Queue, redis: RedisClient) -> None:
    job = await queue.enqueue(ECHO, Echo(text="x"), user_id=1, delay=timedelta(hours=1))
    assert await queue.cancel(job.job_id) == "cancelled"
    assert await redis.run(commands.zcard(queue.keys.delayed)) == 0
    status = await queue.status(job.job_id)
    assert status is not None
    assert status.error == "cancelled: cancelled by request"


async def test_a_running_handler_is_cancelled_and_the_job_fails(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    job = await queue.enqueue(WAIT, Echo(text="x"), user_id=2)
    async with running(redis, "tours", [WAIT.handler(blocking_handler)]) as worker:
        await events.reached(job.job_id, "started")
        assert await queue.cancel(job.job_id, reason="stop it") == "cancelling"
        await events.finished(job.job_id)
    assert worker.worker.counts.failed == 1
    failed = events.event(job.job_id, "failed")
    assert isinstance(failed, JobFailed)
    assert (failed.error_kind, failed.message) == ("user", "cancelled: stop it")
    status = await queue.status(job.job_id)
    assert status is not None
    assert status.status == "failed"
    assert [(a.outcome, a.error) for a in status.history] == [("cancelled", "cancelled: stop it")]


async def test_a_missed_cancel_message_is_caught_at_lease_renewal(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    job = await queue.enqueue(WAIT, Echo(text="x"), user_id=2)
    async with running(redis, "tours", [WAIT.handler(blocking_handler)]):
        await events.reached(job.job_id, "started")
        await redis.hset(queue.keys.job(job.job_id), {"cancel": "quietly"})
        await events.finished(job.job_id)
    failed = events.event(job.job_id, "failed")
    assert isinstance(failed, JobFailed)
    assert failed.message == "cancelled: quietly"


async def test_a_cancelled_job_of_a_dead_worker_fails_when_reclaimed(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    job = await queue.enqueue(ECHO, Echo(text="x"), user_id=3)
    await ghost_start(redis, queue)
    assert await queue.cancel(job.job_id, reason="too late") == "cancelling"
    async with running(redis, "tours", [ECHO.handler(echo)]):
        await events.finished(job.job_id)
    assert events.of(job.job_id) == ["started", "failed"]
    status = await queue.status(job.job_id)
    assert status is not None
    assert (status.status, status.error) == ("failed", "cancelled: too late")
    assert [(a.worker, a.outcome) for a in status.history] == [("ghost", "lost")]


async def test_control_messages_for_other_jobs_are_ignored(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    async with running(redis, "tours", [ECHO.handler(echo)]) as worker:
        await redis.publish(queue.keys.control, '{"job": "elsewhere", "reason": "x"}')
        job = await queue.enqueue(ECHO, Echo(text="x"), user_id=1)
        await events.finished(job.job_id)
        assert not worker.task.done()
    assert events.of(job.job_id) == ["started", "progress", "completed"]


async def test_a_job_whose_status_vanished_is_skipped(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    gone = await queue.enqueue(ECHO, Echo(text="x"), user_id=1)
    await redis.delete(queue.keys.job(gone.job_id))
    after = await queue.enqueue(ECHO, Echo(text="y"), user_id=1)
    config = replace(FAST, concurrency=1)
    async with running(redis, "tours", [ECHO.handler(echo)], config):
        await events.finished(after.job_id)
    assert events.of(gone.job_id) == []
    assert await redis.run(commands.xlen(queue.keys.stream)) == 0
