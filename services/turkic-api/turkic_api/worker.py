"""The worker binary: `bazel run //services/turkic-api:worker`.

Runs the corpus task on queue `turkic` with the same `TurkicSettings` as the API,
logging as `turkic-worker`, until SIGTERM or SIGINT (running jobs get the queue's
grace period, unfinished ones stay reclaimable). The exit status is
`run_worker_service`'s: 2 when the environment is invalid, 1 when Redis failed, 0 after
a graceful stop.
"""

import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TextIO

from platform_workers.async_queue import JobContext, Runnable, WorkerSettings
from platform_workers.service import run_worker_service
from turkic_api.components import open_components
from turkic_api.jobs import QUEUE, CorpusPayload, CorpusResult, corpus_task, process_corpus
from turkic_api.settings import TurkicSettings, load_turkic_settings

SERVICE = "turkic-worker"


def worker_settings(settings: TurkicSettings) -> WorkerSettings:
    """The queue worker's settings from ours."""
    return WorkerSettings(
        queue=QUEUE,
        concurrency=settings.turkic_worker_concurrency,
        socket_timeout_s=settings.turkic_redis_timeout_seconds,
    )


@asynccontextmanager
async def tasks(settings: TurkicSettings) -> AsyncIterator[list[Runnable]]:
    """The corpus task, with the model, sources and data-bank client open while the
    worker runs."""
    async with open_components(settings) as components:

        async def handle(payload: CorpusPayload, ctx: JobContext) -> CorpusResult:
            return await process_corpus(components, payload, ctx)

        yield [corpus_task(settings).handler(handle)]


def main(environ: Mapping[str, str] = os.environ, err: TextIO = sys.stderr) -> int:
    """Run the worker; the exit status."""
    return run_worker_service(
        service=SERVICE,
        settings=load_turkic_settings,
        worker=worker_settings,
        tasks=tasks,
        environ=environ,
        err=err,
    )


if __name__ == "__main__":
    sys.exit(main())
