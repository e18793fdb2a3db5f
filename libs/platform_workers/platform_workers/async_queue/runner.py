"""The worker entry point services call from their worker binary.

    # services/transcript-api/transcript_api/worker.py
    def main() -> None:
        settings = WorkerSettings(redis_url=env.redis_url, queue="transcript")
        asyncio.run(run_worker(settings, [STT.handler(process_stt)]))

SIGTERM and SIGINT start a graceful shutdown (see `Worker`); `run_worker` returns what
the worker did once it has stopped, and raises if it stopped because Redis failed.
"""

import asyncio
import signal
from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from platform_core.async_events import DEFAULT_STREAM_MAXLEN, Domain, event_route
from platform_workers.async_queue.tasks import Runnable
from platform_workers.async_queue.worker import Worker, WorkerConfig, WorkerCounts
from platform_workers.async_redis import open_redis

Positive = Annotated[int, Field(ge=1)]

SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class WorkerSettings(BaseModel):
    """What a worker process needs: where Redis is, which queue, and how to run it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    redis_url: str
    queue: Domain
    concurrency: Positive = 10
    lease_ms: Annotated[int, Field(ge=30)] = 30_000
    max_deliveries: Positive = 3
    grace_period_s: Annotated[float, Field(ge=0)] = 30.0
    block_ms: Positive = 1_000
    poll_ms: Positive = 500
    events_maxlen: Positive = DEFAULT_STREAM_MAXLEN
    events_approximate: bool = False
    socket_timeout_s: Annotated[float, Field(gt=0)] = 5.0

    def config(self) -> WorkerConfig:
        """The worker's tuning."""
        return WorkerConfig(
            concurrency=self.concurrency,
            lease_ms=self.lease_ms,
            max_deliveries=self.max_deliveries,
            grace_period_s=self.grace_period_s,
            block_ms=self.block_ms,
            poll_ms=self.poll_ms,
        )


async def run_worker(
    settings: WorkerSettings, tasks: Sequence[Runnable], *, stop: asyncio.Event | None = None
) -> WorkerCounts:
    """Run a worker for `settings.queue` until SIGTERM/SIGINT (or `stop`), then stop it."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in SHUTDOWN_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    try:
        async with open_redis(
            settings.redis_url, socket_timeout_s=settings.socket_timeout_s
        ) as redis:
            route = event_route(
                settings.queue,
                maxlen=settings.events_maxlen,
                approximate=settings.events_approximate,
            )
            worker = Worker(redis, settings.queue, tasks, settings.config(), route=route)
            await worker.run(stop)
            return worker.counts
    finally:
        for sig in SHUTDOWN_SIGNALS:
            loop.remove_signal_handler(sig)
