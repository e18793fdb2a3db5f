"""`run_worker`: one worker on its own Redis connection, until SIGTERM/SIGINT or `stop`.

    counts = await run_worker(redis_url, WorkerSettings(queue="orders"), [RESIZE.handler(resize)])

A worker binary calls `platform_workers.service.run_worker_service`, which adds the
settings, logging and exit status around this; tests call `run_worker` with `stop`.
"""

import asyncio
import signal
from collections.abc import Sequence

from platform_workers.async_queue.settings import WorkerSettings
from platform_workers.async_queue.tasks import Runnable
from platform_workers.async_queue.worker import Worker
from platform_workers.async_queue.worker_info import WorkerCounts
from platform_workers.async_redis import open_redis

SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def run_worker(
    redis_url: str,
    settings: WorkerSettings,
    tasks: Sequence[Runnable],
    *,
    stop: asyncio.Event | None = None,
) -> WorkerCounts:
    """Run a worker of `settings.queue` until SIGTERM/SIGINT (or `stop`); what it did.

    The shutdown is graceful (see `Worker`); a Redis failure stops the worker at once
    and raises.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in SHUTDOWN_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    try:
        async with open_redis(redis_url, socket_timeout_s=settings.socket_timeout_s) as redis:
            worker = Worker(redis, settings, tasks)
            await worker.run(stop)
            return worker.counts
    finally:
        for sig in SHUTDOWN_SIGNALS:
            loop.remove_signal_handler(sig)
