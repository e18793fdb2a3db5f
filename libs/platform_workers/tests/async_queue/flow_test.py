"""A job's way through the queue: enqueue, start, progress, finish, with status and events."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import BaseModel

from platform_core.async_events import JobCompleted, JobFailed, JobProgress, JobStarted
from platform_workers.async_queue import (
    JobContext,
    JobExistsError,
    JobFailedError,
    JobNotFoundError,
    Queue,
    ResultRef,
    SystemFailureError,
    Task,
    TaskMismatchError,
    UserError,
)
from platform_workers.async_queue_testing import (
    ECHO,
    Echo,
    Echoed,
    Events,
    echo,
    running,
    wait_until,
)
from platform_workers.async_redis import RedisClient, commands


async def test_enqueue_writes_status_and_entry_in_one_call(
    redis: RedisClient, queue: Queue
) -> None:
    await queue.enqueue(ECHO, Echo(text="warm"), user_id=7)  # loads the script (NOSCRIPT)
    before = redis.stats.round_trips
    job = await queue.enqueue(ECHO, Echo(text="hi"), user_id=7, job_id="j-1")
    assert redis.stats.round_trips - before == 1
    assert job.job_id == "j-1"
    status = await queue.status("j-1")
    assert status is not None
    assert (status.status, status.task, status.user_id, status.attempts) == ("queued", "echo", 7, 0)
    assert status.progress == 0
    assert status.created_at == status.updated_at
    assert abs(status.created_at - datetime.now(UTC)) < timedelta(seconds=5)
    entries = await redis.xrange(queue.keys.stream)
    assert entries[1].fields == {"job": "j-1", "user": "7", "task": "echo"}
    fields = await redis.hgetall(queue.keys.job("j-1"))
    assert fields["entry"] == entries[1].id
    assert fields["payload"] == '{"text":"hi","fail":null}'
    assert await redis.run(commands.pttl(queue.keys.job("j-1"))) == -1


async def test_enqueue_generates_ids_and_rejects_duplicates(queue: Queue) -> None:
    first = await queue.enqueue(ECHO, Echo(text="a"), user_id=1)
    second = await queue.enqueue(ECHO, Echo(text="b"), user_id=1)
    assert first.job_id != second.job_id
    with pytest.raises(JobExistsError, match=f"job {first.job_id} exists in queue tours"):
        await queue.enqueue(ECHO, Echo(text="c"), user_id=1, job_id=first.job_id)


async def test_enqueue_checks_its_arguments(queue: Queue) -> None:
    other: Task[BaseModel, BaseModel] = Task("other", Echoed, Echo)
    with pytest.raises(TypeError, match="task other takes Echoed"):
        await queue.enqueue(other, Echo(text="x"), user_id=1)
    with pytest.raises(ValueError, match="delay or run_at"):
        await queue.enqueue(
            ECHO, Echo(text="x"), user_id=1, delay=timedelta(1), run_at=datetime.now(UTC)
        )
    with pytest.raises(ValueError, match="timezone-aware"):
        await queue.enqueue(ECHO, Echo(text="x"), user_id=1, run_at=datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="invalid job id"):
        await queue.enqueue(ECHO, Echo(text="x"), user_id=1, job_id="a b")
    for user_id in (2**63, -(2**63) - 1):
        with pytest.raises(ValueError, match="user_id must be a signed 64-bit integer"):
            await queue.enqueue(ECHO, Echo(text="x"), user_id=user_id)


async def test_the_widest_user_ids_run(redis: RedisClient, queue: Queue, events: Events) -> None:
    widest = (2**63 - 1, -(2**63))
    jobs = [await queue.enqueue(ECHO, Echo(text="x"), user_id=user_id) for user_id in widest]
    async with running(redis, "tours", [ECHO.handler(echo)]):
        await events.finished(*(job.job_id for job in jobs))
    completed = [events.event(job.job_id, "completed") for job in jobs]
    assert [event.user_id for event in completed] == list(widest)


async def test_a_job_runs_with_status_events_and_typed_result(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    job = await queue.enqueue(ECHO, Echo(text="hello"), user_id=42)
    assert await queue.result(ECHO, job.job_id) is None
    async with running(redis, "tours", [ECHO.handler(echo)]) as worker:
        await events.finished(job.job_id)
    assert events.of(job.job_id) == ["started", "progress", "completed"]
    started, progress, completed = (
        events.event(job.job_id, kind) for kind in ("started", "progress", "completed")
    )
    assert started == JobStarted(domain="tours", job_id=job.job_id, user_id=42, queue="tours")
    assert progress == JobProgress(
        domain="tours", job_id=job.job_id, user_id=42, progress=50, message="halfway"
    )
    result_json = Echoed(text="hello", attempt=1).model_dump_json()
    assert completed == JobCompleted(
        domain="tours",
        job_id=job.job_id,
        user_id=42,
        result_id=job.job_id,
        result_bytes=len(result_json),
    )
    assert await queue.result(ECHO, job.job_id) == Echoed(text="hello", attempt=1)
    status = await queue.status(job.job_id)
    assert status is not None
    assert (status.status, status.progress, status.message, status.attempts) == (
        "completed",
        100,
        "halfway",
        1,
    )
    assert status.result == result_json
    assert status.finished_at is not None
    assert status.started_at == status.history[0].started_at
    assert [(a.number, a.worker, a.outcome) for a in status.history] == [
        (1, worker.worker.id, "completed")
    ]
    assert 0 < await redis.run(commands.pttl(queue.keys.job(job.job_id))) <= 86_400_000
    assert await redis.run(commands.xlen(queue.keys.stream)) == 0
    assert worker.worker.counts.completed == 1


async def test_result_of_unknown_mismatched_and_failed_jobs(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    assert await queue.status("nope") is None
    with pytest.raises(JobNotFoundError, match="no job nope in queue tours"):
        await queue.result(ECHO, "nope")
    job = await queue.enqueue(ECHO, Echo(text="x", fail="boom"), user_id=3)
    with pytest.raises(TaskMismatchError, match="is a echo job, not other"):
        await queue.result(Task("other", Echo, Echoed), job.job_id)
    async with running(redis, "tours", [ECHO.handler(echo)]):
        await events.finished(job.job_id)
    with pytest.raises(JobFailedError, match="failed \\(system\\): RuntimeError: boom") as info:
        await queue.result(ECHO, job.job_id)
    assert (info.value.kind, info.value.message) == ("system", "RuntimeError: boom")


async def test_describe_sets_what_completed_reports(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    sized = Task(
        "sized", Echo, Echoed, describe=lambda result, job_id: ResultRef(result.text, 1234)
    )
    job = await queue.enqueue(sized, Echo(text="file-9"), user_id=1)
    async with running(redis, "tours", [sized.handler(echo)]):
        await events.finished(job.job_id)
    completed = events.event(job.job_id, "completed")
    assert isinstance(completed, JobCompleted)
    assert (completed.result_id, completed.result_bytes) == ("file-9", 1234)


async def test_progress_clears_the_message_and_carries_a_payload(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    seen: list[str | None] = []

    async def steps(payload: Echo, ctx: JobContext) -> Echoed:
        await ctx.progress(10, "downloading", payload={"bytes": 5})
        await ctx.progress(20)
        status = await queue.status(ctx.job_id)
        seen.append(None if status is None else status.message)
        with pytest.raises(ValueError, match="within 0-100"):
            await ctx.progress(101)
        return Echoed(text=payload.text, attempt=ctx.attempt)

    job = await queue.enqueue(ECHO, Echo(text="p"), user_id=1)
    async with running(redis, "tours", [ECHO.handler(steps)]):
        await events.finished(job.job_id)
    progress = [e for e in events.seen if isinstance(e, JobProgress)]
    assert [(p.progress, p.message, p.payload) for p in progress] == [
        (10, "downloading", {"bytes": 5}),
        (20, None, None),
    ]
    assert seen == [None]


async def test_failures_are_user_or_system_and_never_left_processing(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    loose: Task[Echo, BaseModel] = Task("echo", Echo, Echoed)

    async def judge(payload: Echo, ctx: JobContext) -> BaseModel:
        if payload.text == "user":
            raise UserError("bad url")
        if payload.text == "bare-user":
            raise UserError
        if payload.text == "wrong-type":
            return Echo(text="not a result")
        if payload.text == "upstream":
            raise SystemFailureError("YouTube answered 502")
        if payload.text == "bare-upstream":
            raise SystemFailureError
        raise ValueError("disk full")

    jobs = [
        await queue.enqueue(loose, Echo(text=text), user_id=5)
        for text in ("user", "bare-user", "system", "wrong-type", "upstream", "bare-upstream")
    ]
    async with running(redis, "tours", [loose.handler(judge)]):
        await events.finished(*(job.job_id for job in jobs))
    failures = [events.event(job.job_id, "failed") for job in jobs]
    assert all(isinstance(f, JobFailed) for f in failures)
    assert [(f.error_kind, f.message) for f in failures if isinstance(f, JobFailed)] == [
        ("user", "bad url"),
        ("user", "UserError"),
        ("system", "ValueError: disk full"),
        ("system", "TypeError: task echo returned Echo, not Echoed"),
        ("system", "YouTube answered 502"),
        ("system", "SystemFailureError"),
    ]
    for job in jobs:
        status = await queue.status(job.job_id)
        assert status is not None
        assert status.status == "failed"
        assert status.history[0].outcome == "failed"
    first = await queue.status(jobs[0].job_id)
    assert first is not None
    assert (first.error_kind, first.error) == ("user", "bad url")
    assert (first.history[0].error_kind, first.history[0].error) == ("user", "bad url")


async def test_a_timeout_is_a_system_failure(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    never = asyncio.Event()

    async def stuck(payload: Echo, ctx: JobContext) -> Echoed:
        await never.wait()
        return Echoed(text="", attempt=0)

    slow = Task("slow", Echo, Echoed, timeout_s=0.05)
    job = await queue.enqueue(slow, Echo(text="t"), user_id=1)
    async with running(redis, "tours", [slow.handler(stuck)]):
        await events.finished(job.job_id)
    failed = events.event(job.job_id, "failed")
    assert isinstance(failed, JobFailed)
    assert (failed.error_kind, failed.message) == ("system", "timed out after 0.05s")


async def test_an_unknown_task_fails_the_job(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    job = await queue.enqueue(Task("mystery", Echo, Echoed), Echo(text="?"), user_id=1)
    async with running(redis, "tours", [ECHO.handler(echo)]):
        await events.finished(job.job_id)
    failed = events.event(job.job_id, "failed")
    assert isinstance(failed, JobFailed)
    assert failed.message == "UnknownTaskError: no handler for task 'mystery' in this worker"


async def test_a_payload_that_no_longer_parses_is_a_system_failure(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    job = await queue.enqueue(ECHO, Echo(text="x"), user_id=1)
    await redis.hset(queue.keys.job(job.job_id), {"payload": '{"wrong": 1}'})
    async with running(redis, "tours", [ECHO.handler(echo)]):
        await events.finished(job.job_id)
    failed = events.event(job.job_id, "failed")
    assert isinstance(failed, JobFailed)
    assert failed.error_kind == "system"
    assert failed.message.startswith("ValidationError: 1 validation error for Echo")


async def test_status_and_result_expire_after_the_ttl(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    brief = Task("brief", Echo, Echoed, result_ttl_s=0.3)
    done = await queue.enqueue(brief, Echo(text="x"), user_id=1)
    failed = await queue.enqueue(brief, Echo(text="x", fail="no"), user_id=1)
    async with running(redis, "tours", [brief.handler(echo)]):
        await events.finished(done.job_id, failed.job_id)
    assert await queue.result(brief, done.job_id) == Echoed(text="x", attempt=1)
    assert 0 < await redis.run(commands.pttl(queue.keys.job(failed.job_id))) <= 300

    async def expired() -> bool:
        return await queue.status(done.job_id) is None and await queue.status(failed.job_id) is None

    await wait_until(expired, timeout_s=5)
    with pytest.raises(JobNotFoundError):
        await queue.result(brief, done.job_id)
    again = await queue.enqueue(brief, Echo(text="y"), user_id=1, job_id=done.job_id)
    assert again.job_id == done.job_id  # the id is free again
