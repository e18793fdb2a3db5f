"""The worker binary: `bazel run //services/turkic-api:worker`.

Runs the corpus task on queue `turkic` with the same `TurkicSettings` as the API,
logging as `turkic-worker`, until SIGTERM or SIGINT (running jobs get the queue's
grace period, unfinished ones stay reclaimable). Exit status 2 when the environment
is invalid.
"""

import asyncio
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from platform_core.config import ConfigError
from platform_core.logging import configure_logging
from platform_workers.async_queue import JobContext, WorkerCounts, WorkerSettings, run_worker
from turkic_api.components import open_components
from turkic_api.jobs import QUEUE, CorpusPayload, CorpusResult, corpus_task, process_corpus
from turkic_api.settings import TurkicSettings, load_turkic_settings

SERVICE = "turkic-worker"
EXIT_OK = 0
EXIT_BAD_CONFIG = 2


def worker_settings(settings: TurkicSettings) -> WorkerSettings:
    """The queue worker's settings from ours."""
    return WorkerSettings(
        queue=QUEUE,
        concurrency=settings.turkic_worker_concurrency,
        socket_timeout_s=settings.turkic_redis_timeout_seconds,
    )


async def run(settings: TurkicSettings, *, stop: asyncio.Event | None = None) -> WorkerCounts:
    """Serve the corpus task until SIGTERM/SIGINT (or `stop`); what the worker did."""
    async with open_components(settings) as components:

        async def handle(payload: CorpusPayload, ctx: JobContext) -> CorpusResult:
            return await process_corpus(components, payload, ctx)

        task = corpus_task(settings)
        return await run_worker(
            settings.redis_url, worker_settings(settings), [task.handler(handle)], stop=stop
        )


def main(environ: Mapping[str, str] = os.environ, err: TextIO = sys.stderr) -> int:
    """Run the worker; the exit status."""
    try:
        settings = load_turkic_settings(environ)
    except ConfigError as exc:
        err.write(f"{SERVICE}: cannot start: {exc}\n")
        return EXIT_BAD_CONFIG
    with configure_logging(
        service=SERVICE,
        level=settings.log_level,
        fmt=settings.log_format,
        instance=settings.instance_id,
    ):
        return exit_status(asyncio.run(run(settings)))


def exit_status(counts: WorkerCounts) -> int:
    """The exit status of a worker that stopped (on a signal) after doing `counts`."""
    del counts
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
