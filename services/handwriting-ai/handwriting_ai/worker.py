"""The worker binary: `bazel run //services/handwriting-ai:worker`.

Runs the training task on queue `digits` (one job at a time: training uses every core)
with the same `HandwritingSettings` as the API, logging as `digits-worker`, until SIGTERM
or SIGINT (a running job gets the queue's grace period, then stays reclaimable). The exit
status is `run_worker_service`'s (2 when the environment is invalid).
"""

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TextIO

from handwriting_ai.jobs import (
    QUEUE,
    TrainDeps,
    TrainPayload,
    TrainResult,
    process_train,
    train_task,
)
from handwriting_ai.settings import HandwritingSettings, load_handwriting_settings
from handwriting_ai_events import DigitsEvent
from platform_core.async_events import EventPublisher
from platform_workers.async_queue import (
    JobContext,
    Runnable,
    WorkerCounts,
    WorkerSettings,
    run_worker,
)
from platform_workers.async_redis import open_redis
from platform_workers.service import run_worker_service

SERVICE = "digits-worker"


def worker_settings(settings: HandwritingSettings) -> WorkerSettings:
    """The queue worker's settings from ours."""
    return WorkerSettings(
        queue=QUEUE,
        concurrency=1,
        socket_timeout_s=settings.redis_timeout_seconds,
    )


@asynccontextmanager
async def tasks(
    settings: HandwritingSettings, *, has_cuda: bool | None = None
) -> AsyncIterator[list[Runnable]]:
    """The training task, with the Redis connection its metrics events go out on open
    while the worker runs."""
    async with open_redis(
        settings.redis_url, socket_timeout_s=settings.redis_timeout_seconds
    ) as redis:
        publisher = EventPublisher(redis)

        async def publish(event: DigitsEvent) -> None:
            await publisher.publish(event)

        deps = TrainDeps(settings=settings, publish=publish, has_cuda=has_cuda)

        async def handle(payload: TrainPayload, ctx: JobContext) -> TrainResult:
            return await process_train(deps, payload, ctx)

        yield [train_task(settings).handler(handle)]


async def run(
    settings: HandwritingSettings,
    *,
    stop: asyncio.Event | None = None,
    has_cuda: bool | None = None,
) -> WorkerCounts:
    """The same worker in this event loop until `stop` (tests); what it did."""
    async with tasks(settings, has_cuda=has_cuda) as handlers:
        return await run_worker(settings.redis_url, worker_settings(settings), handlers, stop=stop)


def main(environ: Mapping[str, str] = os.environ, err: TextIO = sys.stderr) -> int:
    """Run the worker; the exit status."""
    return run_worker_service(
        service=SERVICE,
        settings=load_handwriting_settings,
        worker=worker_settings,
        tasks=tasks,
        environ=environ,
        err=err,
    )


if __name__ == "__main__":
    sys.exit(main())
