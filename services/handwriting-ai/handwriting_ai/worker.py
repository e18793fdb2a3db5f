"""The worker binary: `bazel run //services/handwriting-ai:worker`.

Runs the training task on queue `digits` (one job at a time: training uses every core)
with the same `HandwritingSettings` as the API, logging as `digits-worker`, until SIGTERM
or SIGINT. Exit status 2 when the environment is invalid.
"""

import asyncio
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from handwriting_ai.events import DigitsEvent, to_wire
from handwriting_ai.jobs import (
    QUEUE,
    TrainDeps,
    TrainPayload,
    TrainResult,
    process_train,
    train_task,
)
from handwriting_ai.settings import HandwritingSettings, load_handwriting_settings
from platform_core.async_events import EventPublisher
from platform_core.config import ConfigError
from platform_core.logging import configure_logging
from platform_workers.async_queue import JobContext, WorkerCounts, WorkerSettings, run_worker
from platform_workers.async_redis import open_redis

SERVICE = "digits-worker"
EXIT_OK = 0
EXIT_BAD_CONFIG = 2


def worker_settings(settings: HandwritingSettings) -> WorkerSettings:
    """The queue worker's settings from ours."""
    return WorkerSettings(
        redis_url=settings.redis_url,
        queue=QUEUE,
        concurrency=1,
        socket_timeout_s=settings.redis_timeout_seconds,
    )


async def run(
    settings: HandwritingSettings,
    *,
    stop: asyncio.Event | None = None,
    has_cuda: bool | None = None,
) -> WorkerCounts:
    """Serve the training task until SIGTERM/SIGINT (or `stop`); what the worker did."""
    async with open_redis(
        settings.redis_url, socket_timeout_s=settings.redis_timeout_seconds
    ) as redis:
        publisher = EventPublisher(redis)

        async def publish(event: DigitsEvent) -> None:
            await publisher.publish(to_wire(event))

        deps = TrainDeps(settings=settings, publish=publish, has_cuda=has_cuda)

        async def handle(payload: TrainPayload, ctx: JobContext) -> TrainResult:
            return await process_train(deps, payload, ctx)

        task = train_task(settings)
        return await run_worker(worker_settings(settings), [task.handler(handle)], stop=stop)


def main(environ: Mapping[str, str] = os.environ, err: TextIO = sys.stderr) -> int:
    """Run the worker; the exit status."""
    try:
        settings = load_handwriting_settings(environ)
    except ConfigError as exc:
        err.write(f"{SERVICE}: cannot start: {exc}\n")
        return EXIT_BAD_CONFIG
    with configure_logging(
        service=SERVICE,
        level=settings.log_level,
        fmt=settings.log_format,
        instance=settings.instance_id,
    ):
        asyncio.run(run(settings))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
