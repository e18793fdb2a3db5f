"""Retries (every attempt recorded) and delayed jobs (held in Redis, not in a worker)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from platform_core.async_events import JobCompleted
from platform_workers.async_queue import (
    NO_RETRY,
    JobContext,
    Queue,
    RetryPolicy,
    Task,
    UserError,
)
from platform_workers.async_queue_testing import (
    FAST,
    Echo,
    Echoed,
    Events,
    running,
    wait_until,
)
from platform_workers.async_redis import RedisClient, commands


def test_retry_policy_backoff_and_limits() -> None:
    policy = RetryPolicy(max_attempts=4, backoff_s=0.5, multiplier=3, max_backoff_s=2)
    assert [policy.delay_ms(n) for n in (1, 2, 3)] == [500, 1500, 2000]
    assert [policy.retries_after(n) for n in (1, 3, 4)] == [True, True, False]
    assert not NO_RETRY.retries_after(1)
    assert NO_RETRY.delay_ms(1) == 0
    assert NO_RETRY.delay_ms(10**12) == 0


def test_backoff_of_a_retry_forever_policy_is_worked_out_at_once() -> None:
    # a delay grown step by step would take 10**12 steps here (a hang, not a slow test)
    constant = RetryPolicy(max_attempts=10**12, backoff_s=1.5, multiplier=1)
    assert constant.delay_ms(10**12) == 1_500
    growing = RetryPolicy(max_attempts=10**12, backoff_s=1e-300, multiplier=1.0000001)
    assert growing.delay_ms(10**12) == 3_600_000
    assert growing.delay_ms(1) == 0
    at_cap = RetryPolicy(max_attempts=5, backoff_s=90, max_backoff_s=60)
    assert [at_cap.delay_ms(n) for n in (1, 4)] == [60_000, 60_000]
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(backoff_s=-1)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(max_backoff_s=-1)
    with pytest.raises(ValueError, match="multiplier"):
        RetryPolicy(multiplier=0.5)


def test_task_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="invalid task name"):
        Task("two words", Echo, Echoed)
    with pytest.raises(ValueError, match="invalid task name"):
        Task("", Echo, Echoed)
    with pytest.raises(ValueError, match="timeout_s"):
        Task("t", Echo, Echoed, timeout_s=0)
    with pytest.raises(ValueError, match="result_ttl_s"):
        Task("t", Echo, Echoed, result_ttl_s=0)


async def flaky(payload: Echo, ctx: JobContext) -> Echoed:
    """Fails (system) until attempt `int(payload.text)`, then succeeds."""
    if ctx.attempt < int(payload.text):
        raise ConnectionError(f"attempt {ctx.attempt} failed")
    return Echoed(text=payload.text, attempt=ctx.attempt)


async def test_a_retried_job_records_every_attempt(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    task = Task("flaky", Echo, Echoed, retry=RetryPolicy(max_attempts=3))
    saved = await queue.enqueue(task, Echo(text="3"), user_id=1)
    lost = await queue.enqueue(task, Echo(text="9"), user_id=1)
    async with running(redis, "tours", [task.handler(flaky)]) as worker:
        await events.finished(saved.job_id, lost.job_id)
    assert events.of(saved.job_id) == ["started", "started", "started", "completed"]
    assert events.of(lost.job_id) == ["started", "started", "started", "failed"]
    assert await queue.result(task, saved.job_id) == Echoed(text="3", attempt=3)
    status = await queue.status(lost.job_id)
    assert status is not None
    assert status.attempts == 3
    assert [(a.number, a.outcome, a.error_kind, a.error) for a in status.history] == [
        (n, "failed", "system", f"ConnectionError: attempt {n} failed") for n in (1, 2, 3)
    ]
    assert (status.error_kind, status.error) == ("system", "ConnectionError: attempt 3 failed")
    assert worker.worker.counts.retried == 4


async def test_a_retry_waits_its_backoff_in_the_delayed_set(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    task = Task("flaky", Echo, Echoed, retry=RetryPolicy(max_attempts=2, backoff_s=0.3))
    job = await queue.enqueue(task, Echo(text="2"), user_id=1)
    async with running(redis, "tours", [task.handler(flaky)]):
        await events.finished(job.job_id)
    status = await queue.status(job.job_id)
    assert status is not None
    first, second = status.history
    assert second.started_at - first.ended_at >= timedelta(milliseconds=300)
    assert status.run_at is not None
    assert second.started_at >= status.run_at
    assert await redis.run(commands.zcard(queue.keys.delayed)) == 0


async def test_a_backoff_past_a_floats_range_is_capped_and_the_job_retried(
    redis: RedisClient, queue: Queue
) -> None:
    # backoff_s * multiplier ** (attempt - 1) overflows a float at attempt 1026 with
    # multiplier 2: the cap applies, and the failed attempt is still settled (a raise
    # there left the job `processing` for good, its lease renewed by a live worker).
    policy = RetryPolicy(max_attempts=5_000, backoff_s=1.0, max_backoff_s=60.0)
    assert [policy.delay_ms(n) for n in (1, 3, 1_500)] == [1_000, 4_000, 60_000]

    async def boom(payload: Echo, ctx: JobContext) -> Echoed:
        raise RuntimeError("boom")

    task = Task("boom", Echo, Echoed, retry=policy)
    job = await queue.enqueue(task, Echo(text="x"), user_id=1)
    await redis.hset(queue.keys.job(job.job_id), {"attempts": 1_499})
    async with running(redis, "tours", [task.handler(boom)]) as worker:

        async def settled() -> bool:
            return worker.worker.counts.started == 1 and not worker.worker.held

        await wait_until(settled)
    status = await queue.status(job.job_id)
    assert status is not None
    assert (status.status, status.attempts) == ("queued", 1_500)
    assert [(h.number, h.outcome, h.error) for h in status.history] == [
        (1_500, "failed", "RuntimeError: boom")
    ]
    assert await redis.run(commands.zcard(queue.keys.delayed)) == 1


async def test_a_user_error_is_never_retried(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    async def refuse(payload: Echo, ctx: JobContext) -> Echoed:
        raise UserError("unsupported language")

    task = Task("refuse", Echo, Echoed, retry=RetryPolicy(max_attempts=5))
    job = await queue.enqueue(task, Echo(text="x"), user_id=1)
    async with running(redis, "tours", [task.handler(refuse)]):
        await events.finished(job.job_id)
    assert events.of(job.job_id) == ["started", "failed"]


async def test_a_delayed_job_waits_in_redis_until_due(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    task = Task("flaky", Echo, Echoed)
    later = await queue.enqueue(task, Echo(text="0"), user_id=1, delay=timedelta(seconds=0.4))
    at = datetime.now(UTC) + timedelta(seconds=0.2)
    sooner = await queue.enqueue(task, Echo(text="0"), user_id=1, run_at=at)
    now = await queue.enqueue(task, Echo(text="0"), user_id=1)
    assert await redis.run(commands.zcard(queue.keys.delayed)) == 2
    assert await redis.run(commands.xlen(queue.keys.stream)) == 1
    queued = await queue.status(later.job_id)
    assert queued is not None
    assert queued.status == "queued"
    assert queued.run_at is not None
    async with running(redis, "tours", [task.handler(flaky)]):
        await events.finished(later.job_id, sooner.job_id, now.job_id)
    order = [e.job_id for e in events.seen if isinstance(e, JobCompleted)]
    assert order == [now.job_id, sooner.job_id, later.job_id]
    status = await queue.status(later.job_id)
    assert status is not None
    assert status.history[0].started_at >= queued.run_at


async def test_due_jobs_beyond_one_batch_are_promoted_at_once(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    task = Task("flaky", Echo, Echoed)
    jobs = [
        await queue.enqueue(task, Echo(text="0"), user_id=1, delay=timedelta(milliseconds=1))
        for _ in range(5)
    ]
    config = replace(FAST, delayed_batch=2, poll_ms=60_000)
    async with running(redis, "tours", [task.handler(flaky)], config):
        await events.finished(*(job.job_id for job in jobs))
