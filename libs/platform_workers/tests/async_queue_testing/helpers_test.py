"""The queue test support: the sample task in a worker, waited on through its events."""

import pytest

from platform_workers.async_queue import Queue
from platform_workers.async_queue_testing import ECHO, Echo, Events, echo, running, wait_until
from platform_workers.async_redis import RedisClient


async def test_sample_task_runs_and_events_are_waited_on(redis: RedisClient) -> None:
    queue = Queue(redis, "orders")
    events = Events(redis, "orders")
    async with running(redis, "orders", [ECHO.handler(echo)]) as worker:
        ok = await queue.enqueue(ECHO, Echo(text="hi"), user_id=1)
        bad = await queue.enqueue(ECHO, Echo(text="hi", fail="no"), user_id=1)
        await events.reached(ok.job_id, "started")
        await events.finished(ok.job_id, bad.job_id)
        await worker.stop()
        assert worker.task.done()
    assert events.of(ok.job_id) == ["started", "progress", "completed"]
    assert events.of(bad.job_id) == ["started", "progress", "failed"]
    assert events.event(bad.job_id, "failed").type == "orders.job.failed.v1"
    with pytest.raises(TimeoutError):
        await events.until(lambda seen: len(seen) > 6, timeout_s=0.2)


async def test_leaving_the_block_stops_the_worker(redis: RedisClient) -> None:
    async with running(redis, "orders", [ECHO.handler(echo)], worker_id="w-1") as worker:
        assert worker.worker.id == "w-1"
    assert worker.task.done()
    assert await Queue(redis, "orders").live_workers() == 0


async def test_wait_until_checks_until_the_condition_holds() -> None:
    calls: list[int] = []

    async def third_time() -> bool:
        calls.append(1)
        return len(calls) == 3

    await wait_until(third_time, every_s=0.001)
    assert len(calls) == 3

    async def never() -> bool:
        return False

    with pytest.raises(TimeoutError):
        await wait_until(never, timeout_s=0.05)
