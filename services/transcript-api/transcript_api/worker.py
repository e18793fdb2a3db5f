"""The worker binary: `bazel run //services/transcript-api:worker`.

Runs the STT task on queue `transcript` with the same `TranscriptSettings` as the API
(so the two cannot disagree on limits), logging as `transcript-worker`, until SIGTERM or
SIGINT (running jobs get the queue's grace period, unfinished ones stay reclaimable).
Exit status 2 when the environment is invalid.
"""

import asyncio
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from platform_core.config import ConfigError
from platform_core.logging import configure_logging
from platform_workers.async_queue import JobContext, WorkerCounts, WorkerSettings, run_worker
from transcript_api.components import open_components
from transcript_api.jobs import QUEUE, SttJobResult, SttPayload, process_stt, stt_task
from transcript_api.settings import TranscriptSettings, load_transcript_settings
from transcript_api.ytdlp import YtDlpModule

SERVICE = "transcript-worker"
EXIT_OK = 0
EXIT_BAD_CONFIG = 2


def worker_settings(settings: TranscriptSettings) -> WorkerSettings:
    """The queue worker's settings from ours."""
    return WorkerSettings(
        redis_url=settings.redis_url,
        queue=QUEUE,
        concurrency=settings.transcript_worker_concurrency,
        socket_timeout_s=settings.transcript_redis_timeout_seconds,
    )


async def run(
    settings: TranscriptSettings,
    *,
    stop: asyncio.Event | None = None,
    yt_dlp: YtDlpModule | None = None,
) -> WorkerCounts:
    """Serve the STT task until SIGTERM/SIGINT (or `stop`); what the worker did."""
    async with open_components(settings, yt_dlp) as components:

        async def handle(payload: SttPayload, ctx: JobContext) -> SttJobResult:
            return await process_stt(components.stt, payload, ctx)

        task = stt_task(settings)
        return await run_worker(worker_settings(settings), [task.handler(handle)], stop=stop)


def main(environ: Mapping[str, str] = os.environ, err: TextIO = sys.stderr) -> int:
    """Run the worker; the exit status."""
    try:
        settings = load_transcript_settings(environ)
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
