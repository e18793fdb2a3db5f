"""Faults found in the queue, each with the test that failed before its fix."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from platform_workers.async_queue import JobContext, Queue, RetryPolicy, Task, Worker
from platform_workers.async_queue.scripts import RENEW, START
from platform_workers.async_queue_testing import FAST, Echo, Echoed, Events, running, wait_until
from platform_workers.async_redis import (
    Arg,
    RedisClient,
    RedisConnectionError,
    Reply,
    Script,
    commands,
)

Hook = Callable[[list[str], list[Arg]], Awaitable[Reply | None]]


class Hooked(RedisClient):
    """The test server's client; a hook runs before a script (and may answer for it)."""

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


HOLD = Task("hold", Echo, Echoed)


async def test_every_held_lease_is_renewed(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    # RENEW passed the entries to XCLAIM with `unpack(keep), 'JUSTID'`: Lua cuts a call
    # in the middle of an argument list to one value, so only the first lease was renewed
    # and another worker reclaimed (and ran again) every other long job.
    runs: dict[str, int] = {}

    async def long(payload: Echo, ctx: JobContext) -> Echoed:
        runs[ctx.job_id] = runs.get(ctx.job_id, 0) + 1
        await asyncio.sleep(4.0)  # past two leases
        return Echoed(text=payload.text, attempt=ctx.attempt)

    settings = replace(FAST, lease_ms=1_500)
    ids = [(await queue.enqueue(HOLD, Echo(text=str(n)), user_id=1)).job_id for n in range(3)]
    async with running(redis, "tours", [HOLD.handler(long)], settings, worker_id="a"):
        await events.until(lambda _: all("started" in events.of(job_id) for job_id in ids))
        async with running(redis, "tours", [HOLD.handler(long)], settings, worker_id="b") as b:
            await events.finished(*ids, timeout_s=20)
            assert b.worker.counts.reclaimed == 0
    assert runs == dict.fromkeys(ids, 1)


async def test_an_earlier_run_of_a_job_held_again_is_awaited_at_shutdown(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    # a stalls, b reclaims the job and dies, a reclaims it back: the same stream entry
    # held again while a's first run of it still unwinds. Shutdown awaited only the
    # handlers of the jobs held, and so returned with the first run still going.
    unwound: list[int] = []

    async def handler(payload: Echo, ctx: JobContext) -> Echoed:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await asyncio.sleep(0.5)  # slow cleanup of a cancelled run
            unwound.append(ctx.attempt)
            raise
        return Echoed(text=payload.text, attempt=ctx.attempt)

    stalled, dying = Hooked(redis), Hooked(redis)
    stalled.hooks[RENEW.script.sha] = skip_renewals
    job = await queue.enqueue(HOLD, Echo(text="x"), user_id=1)
    async with running(stalled, "tours", [HOLD.handler(handler)], worker_id="a"):
        await events.reached(job.job_id, "started")
        async with running(dying, "tours", [HOLD.handler(handler)], worker_id="b") as b:
            await events.until(lambda _: events.of(job.job_id).count("started") == 2)
            dying.hooks[RENEW.script.sha] = fail_renewals
            with pytest.raises(RedisConnectionError, match="injected"):
                await b.task
        await events.until(lambda _: events.of(job.job_id).count("started") == 3)
        del stalled.hooks[RENEW.script.sha]
    # a has stopped: both of its runs have ended (the third was cancelled at shutdown)
    assert sorted(unwound) == [1, 2, 3]


async def test_a_worker_that_begins_to_stop_during_start_runs_no_handler(
    redis: RedisClient, queue: Queue, events: Events
) -> None:
    runs: list[int] = []

    async def handler(payload: Echo, ctx: JobContext) -> Echoed:
        runs.append(ctx.attempt)
        return Echoed(text=payload.text, attempt=ctx.attempt)

    stop = asyncio.Event()
    stopping = Hooked(redis)
    workers: list[Worker] = []

    async def stop_meanwhile(keys: list[str], args: list[Arg]) -> None:
        stop.set()
        worker = workers[0]

        async def begun() -> bool:
            return worker.stopping

        await wait_until(begun)

    stopping.hooks[START.script.sha] = stop_meanwhile
    worker = Worker(stopping, replace(FAST, queue="tours"), [HOLD.handler(handler)])
    workers.append(worker)
    job = await queue.enqueue(HOLD, Echo(text="late"), user_id=1)
    await worker.run(stop)
    assert runs == []
    status = await queue.status(job.job_id)
    assert status is not None
    assert (status.status, status.attempts) == ("queued", 1)
    assert [(a.number, a.outcome) for a in status.history] == [(1, "interrupted")]
    async with running(redis, "tours", [HOLD.handler(handler)]):
        await events.finished(job.job_id)
    assert runs == [2]


async def test_a_malformed_control_message_is_logged_and_ignored(
    redis: RedisClient, queue: Queue, events: Events, caplog: pytest.LogCaptureFixture
) -> None:
    started = asyncio.Event()

    async def handler(payload: Echo, ctx: JobContext) -> Echoed:
        started.set()
        await asyncio.sleep(3600)
        return Echoed(text=payload.text, attempt=ctx.attempt)

    async with running(redis, "tours", [HOLD.handler(handler)]) as worker:
        with caplog.at_level(logging.WARNING):
            await redis.publish(queue.keys.control, "not json")
            await redis.publish(queue.keys.control, '{"job": 7}')
            job = await queue.enqueue(HOLD, Echo(text="x"), user_id=1)
            await started.wait()
            assert await queue.cancel(job.job_id, reason="still listening") == "cancelling"
            await events.finished(job.job_id)
        assert not worker.task.done()
    assert events.of(job.job_id) == ["started", "failed"]
    ignored = [r.getMessage() for r in caplog.records if "malformed control" in r.getMessage()]
    assert ignored == [
        "queue tours: ignored a malformed control message 'not json'",
        """queue tours: ignored a malformed control message '{"job": 7}'""",
    ]


async def test_an_immediate_retry_clears_run_at(redis: RedisClient, queue: Queue) -> None:
    # a delayed job keeps the `run_at` it was scheduled for; retried at once after a
    # failure it is runnable now, and its status said it was still waiting for then
    seen: list[object] = []
    again = Task("again", Echo, Echoed, retry=RetryPolicy(max_attempts=2))

    async def handler(payload: Echo, ctx: JobContext) -> Echoed:
        if ctx.attempt == 1:
            raise RuntimeError("once")
        status = await queue.status(ctx.job_id)
        assert status is not None
        seen.append(status.run_at)
        return Echoed(text=payload.text, attempt=ctx.attempt)

    job = await queue.enqueue(again, Echo(text="x"), user_id=1, delay=timedelta(milliseconds=50))
    first = await queue.status(job.job_id)
    assert first is not None
    assert first.run_at is not None
    async with running(redis, "tours", [again.handler(handler)]):

        async def done() -> bool:
            return await queue.result(again, job.job_id) is not None

        await wait_until(done)
    assert seen == [None]


class SwallowingReads(RedisClient):
    """A client whose blocking read swallows a cancellation once (then reads on), as a
    Redis client's read timeout can; its lease renewals fail once `failing` is set."""

    def __init__(self, base: RedisClient) -> None:
        super().__init__(base.raw, socket_timeout_s=base.socket_timeout_s)
        self.reading = asyncio.Event()
        self.failing = False
        self.swallowed = 0

    async def run(self, command: commands.Command[commands.T]) -> commands.T:
        if command.name == "XREADGROUP" and not self.swallowed:
            self.reading.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.swallowed += 1
        return await super().run(command)

    async def eval_script(self, script: Script, keys: list[str], args: list[Arg]) -> Reply:
        if self.failing and script is RENEW.script:
            raise RedisConnectionError("injected: connection lost")
        return await super().eval_script(script, keys, args)


async def test_a_fetch_loop_whose_cancellation_was_swallowed_still_stops(
    redis: RedisClient,
) -> None:
    client = SwallowingReads(redis)
    async with running(client, "tours", [HOLD.handler(echo_handler)]) as worker:
        await client.reading.wait()
        client.failing = True
        async with asyncio.timeout(10):
            with pytest.raises(RedisConnectionError, match="injected"):
                await worker.task
    assert client.swallowed == 1


async def echo_handler(payload: Echo, ctx: JobContext) -> Echoed:
    """Returns the text."""
    return Echoed(text=payload.text, attempt=ctx.attempt)
