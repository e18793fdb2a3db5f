"""The worker binary: `bazel run //services/transcript-api:worker`.

Runs the STT task on queue `transcript` with the same `TranscriptSettings` as the API
(so the two cannot disagree on limits), logging as `transcript-worker`, until SIGTERM or
SIGINT (running jobs get the queue's grace period, unfinished ones stay reclaimable).
The exit status is `run_worker_service`'s (2 when the environment is invalid).
"""

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TextIO

from platform_workers.async_queue import (
    JobContext,
    Runnable,
    WorkerCounts,
    WorkerSettings,
    run_worker,
)
from platform_workers.service import run_worker_service
from transcript_api.components import open_components
from transcript_api.jobs import QUEUE, SttJobResult, SttPayload, process_stt, stt_task
from transcript_api.settings import TranscriptSettings, load_transcript_settings
from transcript_api.ytdlp import YtDlpModule

SERVICE = "transcript-worker"


def worker_settings(settings: TranscriptSettings) -> WorkerSettings:
    """The queue worker's settings from ours."""
    return WorkerSettings(
        queue=QUEUE,
        concurrency=settings.transcript_worker_concurrency,
        socket_timeout_s=settings.transcript_redis_timeout_seconds,
    )


@asynccontextmanager
async def tasks(
    settings: TranscriptSettings, yt_dlp: YtDlpModule | None = None
) -> AsyncIterator[list[Runnable]]:
    """The STT task, with the components it uses open while the worker runs."""
    async with open_components(settings, yt_dlp) as components:

        async def handle(payload: SttPayload, ctx: JobContext) -> SttJobResult:
            return await process_stt(components.stt, payload, ctx)

        yield [stt_task(settings).handler(handle)]


async def run(
    settings: TranscriptSettings,
    *,
    stop: asyncio.Event | None = None,
    yt_dlp: YtDlpModule | None = None,
) -> WorkerCounts:
    """The same worker in this event loop until `stop` (tests); what it did."""
    async with tasks(settings, yt_dlp) as handlers:
        return await run_worker(settings.redis_url, worker_settings(settings), handlers, stop=stop)


def main(environ: Mapping[str, str] = os.environ, err: TextIO = sys.stderr) -> int:
    """Run the worker; the exit status."""
    return run_worker_service(
        service=SERVICE,
        settings=load_transcript_settings,
        worker=worker_settings,
        tasks=tasks,
        environ=environ,
        err=err,
    )


if __name__ == "__main__":
    sys.exit(main())
