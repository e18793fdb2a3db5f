"""Test support for the job queue: an events reader that waits on conditions, in-process
workers, and a sample task.

    async with running(redis, "orders", [ECHO.handler(echo)]) as worker:
        job = await Queue(redis, "orders").enqueue(ECHO, Echo(text="hi"), user_id=1)
        await Events(redis, "orders").finished(job.job_id)
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

from pydantic import BaseModel

from platform_core import async_events
from platform_core.async_events import EventTypes, decode_event, events_stream
from platform_workers.async_queue import JobContext, Runnable, Task, Worker, WorkerSettings
from platform_workers.async_redis import RedisClient

FAST = WorkerSettings(  # short leases and waits, for tests (`running` sets the queue)
    queue="test",
    concurrency=4,
    lease_ms=600,
    block_ms=100,
    poll_ms=50,
    grace_period_s=5.0,
    cancel_wait_s=2.0,
    control_poll_s=0.05,
)


class Echo(BaseModel):
    """A payload: text to return, or to fail with."""

    text: str
    fail: str | None = None


class Echoed(BaseModel):
    """A result."""

    text: str
    attempt: int


ECHO = Task("echo", Echo, Echoed)


async def echo(payload: Echo, ctx: JobContext) -> Echoed:
    """Returns the text (after a progress report), or raises `fail`."""
    await ctx.progress(50, "halfway")
    if payload.fail is not None:
        raise RuntimeError(payload.fail)
    return Echoed(text=payload.text, attempt=ctx.attempt)


async def wait_until(
    condition: Callable[[], Awaitable[bool]], timeout_s: float = 10.0, every_s: float = 0.01
) -> None:
    """Check `condition` every `every_s` until it holds; TimeoutError after `timeout_s`."""
    async with asyncio.timeout(timeout_s):
        while True:
            if await condition():
                return
            await asyncio.sleep(every_s)


class Events:
    """The domain's events stream, read from the beginning, waited on by condition.

    Job lifecycle events and the `types` given are decoded; others fail the read.
    """

    def __init__(
        self,
        redis: RedisClient,
        domain: async_events.Domain,
        types: EventTypes = async_events.NO_EVENT_TYPES,
    ) -> None:
        self.redis = redis
        self.types = types
        self.stream = events_stream(domain)
        self.seen: list[async_events.Event] = []
        self._position = async_events.FROM_BEGINNING

    async def until(
        self, condition: Callable[[list[async_events.Event]], bool], timeout_s: float = 10.0
    ) -> list[async_events.Event]:
        """Read events until `condition(all events so far)` holds (TimeoutError if not)."""
        async with asyncio.timeout(timeout_s):
            while not condition(self.seen):
                batches = await self.redis.xread({self.stream: self._position}, block_ms=100)
                for batch in batches:
                    for entry in batch.entries:
                        self.seen.append(
                            decode_event((entry.fields or {})[async_events.EVENT_FIELD], self.types)
                        )
                        self._position = entry.id
        return self.seen

    def of(self, job_id: str) -> list[str]:
        """The kinds of `job_id`'s job events, in order."""
        return [
            e.kind for e in self.seen if isinstance(e, async_events.JobEvent) and e.job_id == job_id
        ]

    async def finished(self, *job_ids: str, timeout_s: float = 10.0) -> list[async_events.Event]:
        """Wait until each job has a completed or failed event."""
        return await self.until(
            lambda _: all({"completed", "failed"} & set(self.of(job_id)) for job_id in job_ids),
            timeout_s,
        )

    async def reached(
        self, job_id: str, kind: str, timeout_s: float = 10.0
    ) -> list[async_events.Event]:
        """Wait until `job_id` has an event of `kind`."""
        return await self.until(lambda _: kind in self.of(job_id), timeout_s)

    def event(self, job_id: str, kind: str) -> async_events.JobEvent:
        """The (last) `kind` event of `job_id`."""
        found = [
            e
            for e in self.seen
            if isinstance(e, async_events.JobEvent) and e.job_id == job_id and e.kind == kind
        ]
        return found[-1]


@dataclass
class Running:
    """A worker running in this process until `stop()`."""

    worker: Worker
    stop_event: asyncio.Event
    task: "asyncio.Task[None]"

    async def stop(self) -> None:
        """Shut it down gracefully and wait (its failure, if any, raises)."""
        self.stop_event.set()
        await self.task


@asynccontextmanager
async def running(
    redis: RedisClient,
    domain: async_events.Domain,
    handlers: Sequence[Runnable],
    settings: WorkerSettings = FAST,
    *,
    worker_id: str | None = None,
) -> AsyncIterator[Running]:
    """A worker of queue `domain` (`settings` with that queue) started in this process,
    ready once entered, and stopped gracefully on exit."""
    worker = Worker(redis, replace(settings, queue=domain), handlers, worker_id=worker_id)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    ready = asyncio.create_task(worker.ready.wait())
    await asyncio.wait([task, ready], return_when=asyncio.FIRST_COMPLETED)
    ready.cancel()
    handle = Running(worker, stop, task)
    try:
        yield handle
    finally:
        if not task.done():
            await handle.stop()


__all__ = [
    "ECHO",
    "FAST",
    "Echo",
    "Echoed",
    "Events",
    "Running",
    "echo",
    "running",
    "wait_until",
]
