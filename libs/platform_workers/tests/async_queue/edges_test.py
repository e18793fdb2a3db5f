"""Edges: malformed data in Redis, odd script replies, handlers cancelled by others."""

import asyncio
from dataclasses import replace

import pytest

from platform_core.async_events import JobFailed
from platform_workers.async_queue import (
    CorruptStatusError,
    JobContext,
    Queue,
    Task,
    Worker,
)
from platform_workers.async_queue.scripts import CANCEL, LIVE_WORKERS, RENEW, START
from platform_workers.async_queue.status import parse_status
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
    RedisReplyError,
    Reply,
    Script,
    commands,
)


def test_a_malformed_status_hash_raises() -> None:
    good = {
        "task": "t",
        "status": "queued",
        "user_id": "1",
        "progress": "0",
        "created_at": "1000",
        "updated_at": "2000",
        "attempts": "0",
    }
    assert parse_status("j", good).updated_at.timestamp() == 2.0
    for broken in (
        {**good, "status": "lost"},
        {**good, "created_at": "yesterday"},
        {**good, "attempt:1": "{}"},
        {**good, "attempt:x": '{"worker":"w","started_at":1,"ended_at":2,"outcome":"lost"}'},
    ):
        with pytest.raises(CorruptStatusError, match="job j: malformed status hash"):
            parse_status("j", broken)
    records = {
        **good,
        "attempt:10": '{"worker":"w","started_at":1,"ended_at":2,"outcome":"lost"}',
        "attempt:9": '{"worker":"w","started_at":1,"ended_at":2,"outcome":"interrupted"}',
    }
    assert [a.number for a in parse_status("j", records).history] == [9, 10]


class OddReplies(RedisClient):
    """The test server's client, answering chosen scripts with a fixed reply."""

    def __init__(self, base: RedisClient, replies: dict[str, Reply]) -> None:
        super().__init__(base.raw, socket_timeout_s=base.socket_timeout_s)
        self.replies = replies

    async def eval_script(self, script: Script, keys: list[str], args: list[Arg]) -> Reply:
        if script.sha in self.replies:
            return self.replies[script.sha]
        return await super().eval_script(script, keys, args)


async def test_odd_client_replies_raise(redis: RedisClient, queue: Queue) -> None:
    odd = Queue(
        OddReplies(
            redis,
            {CANCEL.script.sha: ["outcome", "maybe"], LIVE_WORKERS.script.sha: ["live", "two"]},
        ),
        "tours",
    )
    job = await queue.enqueue(ECHO, Echo(text="x"), user_id=1)
    with pytest.raises(RedisReplyError, match="unexpected cancel reply 'maybe'"):
        await odd.cancel(job.job_id)
    with pytest.raises(RedisReplyError, match="integer"):
        await odd.live_workers()
    await redis.xadd(queue.keys.dead, {"job": "j", "deliveries": "many"})
    with pytest.raises(RedisReplyError, match="malformed dead-letter entry"):
        await queue.dead_letters()


async def test_malformed_stream_entries_are_dead_lettered(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    await redis.xadd(queue.keys.stream, {"junk": "1"})
    await redis.xadd(queue.keys.stream, {"job": "j", "user": "x", "task": "echo"})
    # digits that `str.isdigit` takes and `int` refuses
    await redis.xadd(queue.keys.stream, {"job": "k", "user": "\u00b2", "task": "echo"})
    await redis.xadd(queue.keys.stream, {"job": "m", "user": "--5", "task": "echo"})
    job = await queue.enqueue(ECHO, Echo(text="fine"), user_id=-3)
    async with running(redis, "tours", [ECHO.handler(echo)]):
        await events.finished(job.job_id)
    dead = await queue.dead_letters()
    assert [(d.job_id, d.task, d.user_id, d.deliveries) for d in dead] == [
        ("", "", 0, 1),
        ("j", "echo", 0, 1),
        ("k", "echo", 0, 1),
        ("m", "echo", 0, 1),
    ]
    assert dead[0].reason == "malformed entry: {'junk': '1'}"
    assert await redis.run(commands.xlen(queue.keys.stream)) == 0


async def test_a_handler_that_cancels_itself_fails_and_one_cancelled_from_outside_is_left(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    async def odd(payload: Echo, ctx: JobContext) -> Echoed:
        if payload.text == "self":
            raise asyncio.CancelledError
        await asyncio.Event().wait()
        return Echoed(text="", attempt=0)

    task = Task("odd", Echo, Echoed)
    itself = await queue.enqueue(task, Echo(text="self"), user_id=1)
    outside = await queue.enqueue(task, Echo(text="outside"), user_id=1)
    async with running(redis, "tours", [task.handler(odd)]) as worker:
        await events.finished(itself.job_id)
        await events.reached(outside.job_id, "started")
        [held] = [j for j in worker.worker.held.values() if j.job_id == outside.job_id]
        assert held.handler is not None
        held.handler.cancel()

        async def dropped() -> bool:
            return not worker.worker.held

        await wait_until(dropped)
    failed = events.event(itself.job_id, "failed")
    assert isinstance(failed, JobFailed)
    assert failed.message == "CancelledError: the handler cancelled itself"
    status = await queue.status(outside.job_id)
    assert status is not None
    assert status.status == "processing"


async def test_repeated_cancels_and_a_shutdown_within_grace(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    release = asyncio.Event()

    async def slow(payload: Echo, ctx: JobContext) -> Echoed:
        if payload.text == "cancel me":
            await asyncio.Event().wait()
        await release.wait()
        await asyncio.sleep(0.2)  # still at work when the worker starts waiting for it
        return Echoed(text=payload.text, attempt=ctx.attempt)

    task = Task("slow", Echo, Echoed)
    doomed = await queue.enqueue(task, Echo(text="cancel me"), user_id=1)
    finishing = await queue.enqueue(task, Echo(text="finish me"), user_id=1)
    config = replace(FAST, grace_period_s=10.0, block_ms=1)
    async with running(redis, "tours", [task.handler(slow)], config) as worker:
        await events.until(lambda _: len(events.seen) == 2)
        assert await queue.cancel(doomed.job_id, reason="twice") == "cancelling"
        message = f'{{"job": "{doomed.job_id}", "reason": "again"}}'
        await redis.publish(queue.keys.control, message)
        await events.finished(doomed.job_id)
        worker.stop_event.set()

        async def begun() -> bool:
            return worker.worker.stopping

        await wait_until(begun)
        release.set()
    await events.finished(finishing.job_id)
    assert events.of(finishing.job_id) == ["started", "completed"]
    failed = events.event(doomed.job_id, "failed")
    assert isinstance(failed, JobFailed)
    assert failed.message == "cancelled: twice"


async def test_a_cancel_that_overtakes_the_start_reply_still_cancels(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    job = await queue.enqueue(ECHO, Echo(text="x"), user_id=1)
    workers: list[Worker] = []

    class CancelsDuringStart(RedisClient):
        async def eval_script(self, script: Script, keys: list[str], args: list[Arg]) -> Reply:
            reply = await super().eval_script(script, keys, args)
            if script is START.script:
                assert await queue.cancel(job.job_id, reason="early") == "cancelling"

                async def noticed() -> bool:
                    return any(held.stop for held in workers[0].held.values())

                await wait_until(noticed)
            return reply

    client = CancelsDuringStart(redis.raw, socket_timeout_s=redis.socket_timeout_s)
    worker = Worker(client, replace(FAST, queue="tours"), [ECHO.handler(echo)])
    workers.append(worker)
    stop = asyncio.Event()
    run = asyncio.create_task(worker.run(stop))
    await events.finished(job.job_id)
    stop.set()
    await run
    assert events.of(job.job_id) == ["started", "failed"]
    status = await queue.status(job.job_id)
    assert status is not None
    assert [(a.outcome, a.error) for a in status.history] == [("cancelled", "cancelled: early")]


async def test_a_cancel_noticed_before_the_handler_takes_its_first_step_still_cancels(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    # START's reply and a RENEW reply that asks to cancel the job wake the worker in the
    # same loop iteration: the renewal is handled after the handler's task is created
    # and before that task's first step.
    job = await queue.enqueue(ECHO, Echo(text="x"), user_id=1)
    start_ran, renewed, both = asyncio.Event(), asyncio.Event(), asyncio.Event()

    class Racing(RedisClient):
        async def eval_script(self, script: Script, keys: list[str], args: list[Arg]) -> Reply:
            if script is RENEW.script and queue.keys.job(job.job_id) in keys and not both.is_set():
                await start_ran.wait()
                await redis.hset(queue.keys.job(job.job_id), {"cancel": "raced"})
                reply = await super().eval_script(script, keys, args)
                renewed.set()
                await both.wait()
                return reply
            reply = await super().eval_script(script, keys, args)
            if script is START.script:
                start_ran.set()
                await renewed.wait()
                both.set()
            return reply

    client = Racing(redis.raw, socket_timeout_s=redis.socket_timeout_s)
    async with running(client, "tours", [ECHO.handler(echo)]) as worker:
        await events.finished(job.job_id)
    assert events.of(job.job_id) == ["started", "failed"]
    status = await queue.status(job.job_id)
    assert status is not None
    assert [(a.outcome, a.error) for a in status.history] == [("cancelled", "cancelled: raced")]
    assert worker.worker.counts.failed == 1


async def test_ownership_is_checked_entry_by_entry_past_a_long_pending_list(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    stale = [await queue.enqueue(ECHO, Echo(text="stale"), user_id=1) for _ in range(30)]
    await redis.run(commands.xgroup_create(queue.keys.stream, "workers", start_id="0"))
    await redis.xreadgroup("workers", "w", {queue.keys.stream: ">"}, count=30)
    job = await queue.enqueue(ECHO, Echo(text="fresh"), user_id=1)
    config = replace(FAST, concurrency=1, lease_ms=300)
    async with running(redis, "tours", [ECHO.handler(echo)], config, worker_id="w") as w:
        await events.finished(job.job_id)

        async def renewed() -> bool:
            return w.worker.counts.renewals >= 3

        await wait_until(renewed)
    assert events.of(job.job_id) == ["started", "progress", "completed"]
    assert all(events.of(s.job_id) == [] for s in stale)
