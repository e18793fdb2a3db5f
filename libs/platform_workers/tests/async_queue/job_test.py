"""`Queue.job`: one job read typed (status fields, payload, result) in one round trip."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from platform_workers.async_queue import (
    CorruptPayloadError,
    CorruptResultError,
    CorruptStatusError,
    Job,
    JobContext,
    Queue,
    Task,
    TaskMismatchError,
)
from platform_workers.async_queue_testing import ECHO, Echo, Echoed, Events, echo, running
from platform_workers.async_redis import RedisClient, commands


async def test_a_queued_job_is_read_typed_in_one_round_trip(
    redis: RedisClient, queue: Queue
) -> None:
    ref = await queue.enqueue(ECHO, Echo(text="hi"), user_id=7, delay=timedelta(hours=1))
    before = redis.stats.round_trips
    job = await queue.job(ECHO, ref.job_id)
    assert redis.stats.round_trips - before == 1
    assert isinstance(job, Job)
    assert (job.job_id, job.task, job.status, job.user_id) == (ref.job_id, "echo", "queued", 7)
    assert (job.progress, job.message, job.attempts, job.history) == (0, None, 0, ())
    assert job.payload == Echo(text="hi")
    assert job.result is None
    assert (job.started_at, job.finished_at, job.worker) == (None, None, None)
    assert (job.error_kind, job.error, job.cancel_requested) == (None, None, None)
    assert job.created_at == job.updated_at
    assert abs(job.created_at - datetime.now(UTC)) < timedelta(seconds=5)
    assert job.run_at is not None
    assert timedelta(minutes=59) < job.run_at - job.created_at <= timedelta(hours=1)


async def test_a_running_job_shows_its_payload_and_progress_before_it_completes(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    seen: list[Job[Echo, Echoed] | None] = []
    release = asyncio.Event()

    async def slow(payload: Echo, ctx: JobContext) -> Echoed:
        await ctx.progress(40, "transcribing")
        seen.append(await queue.job(ECHO, ctx.job_id))
        await release.wait()
        return Echoed(text=payload.text.upper(), attempt=ctx.attempt)

    ref = await queue.enqueue(ECHO, Echo(text="video"), user_id=3)
    async with running(redis, "tours", [ECHO.handler(slow)]) as worker:
        await events.reached(ref.job_id, "progress")
        release.set()
        await events.finished(ref.job_id)
    [during] = seen
    assert during is not None
    assert (during.status, during.progress, during.message, during.attempts) == (
        "processing",
        40,
        "transcribing",
        1,
    )
    assert (during.payload, during.result, during.worker) == (
        Echo(text="video"),
        None,
        worker.worker.id,
    )
    assert during.started_at is not None
    done = await queue.job(ECHO, ref.job_id)
    assert done is not None
    assert (done.status, done.progress, done.payload) == ("completed", 100, Echo(text="video"))
    assert done.result == Echoed(text="VIDEO", attempt=1)
    assert done.finished_at is not None
    assert [(a.number, a.outcome) for a in done.history] == [(1, "completed")]


async def test_a_failed_job_has_its_error_and_no_result(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    ref = await queue.enqueue(ECHO, Echo(text="x", fail="boom"), user_id=1)
    async with running(redis, "tours", [ECHO.handler(echo)]):
        await events.finished(ref.job_id)
    job = await queue.job(ECHO, ref.job_id)
    assert job is not None
    assert (job.status, job.error_kind, job.error, job.result) == (
        "failed",
        "system",
        "RuntimeError: boom",
        None,
    )
    assert job.payload == Echo(text="x", fail="boom")


async def test_unknown_and_other_task_jobs(queue: Queue) -> None:
    assert await queue.job(ECHO, "nope") is None
    ref = await queue.enqueue(ECHO, Echo(text="x"), user_id=1)
    with pytest.raises(TaskMismatchError, match=f"job {ref.job_id} is a echo job, not other"):
        await queue.job(Task("other", Echo, Echoed), ref.job_id)


async def test_a_payload_that_does_not_parse_raises_a_precise_error(
    redis: RedisClient, queue: Queue
) -> None:
    ref = await queue.enqueue(ECHO, Echo(text="x"), user_id=1)
    key = queue.keys.job(ref.job_id)
    await redis.hset(key, {"payload": '{"wrong": 1}'})
    with pytest.raises(CorruptPayloadError, match=f"job {ref.job_id}: payload is not a valid Echo"):
        await queue.job(ECHO, ref.job_id)
    await redis.run(commands.hdel(key, "payload"))
    with pytest.raises(CorruptPayloadError, match=f"job {ref.job_id}: no payload"):
        await queue.job(ECHO, ref.job_id)


async def test_a_result_that_does_not_parse_raises_a_precise_error(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    ref = await queue.enqueue(ECHO, Echo(text="x"), user_id=1)
    async with running(redis, "tours", [ECHO.handler(echo)]):
        await events.finished(ref.job_id)
    key = queue.keys.job(ref.job_id)
    await redis.hset(key, {"result": '{"text": 5}'})
    for read in (queue.job, queue.result):
        with pytest.raises(
            CorruptResultError, match=f"job {ref.job_id}: result is not a valid Echoed"
        ):
            await read(ECHO, ref.job_id)
    await redis.run(commands.hdel(key, "result"))
    for read in (queue.job, queue.result):
        with pytest.raises(CorruptResultError, match=f"job {ref.job_id}: completed without"):
            await read(ECHO, ref.job_id)


async def test_a_malformed_status_raises_before_the_task_is_checked(
    redis: RedisClient, queue: Queue
) -> None:
    ref = await queue.enqueue(ECHO, Echo(text="x"), user_id=1)
    await redis.hset(queue.keys.job(ref.job_id), {"status": "lost"})
    with pytest.raises(CorruptStatusError, match="malformed status hash") as info:
        await queue.job(Task("other", Echo, Echoed), ref.job_id)
    assert type(info.value) is CorruptStatusError
