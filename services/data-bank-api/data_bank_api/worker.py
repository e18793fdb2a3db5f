"""The data-bank worker binary: runs the integrity scrub jobs of the `databank` queue.

`bazel run //services/data-bank-api:worker` with `REDIS_URL` and `DATA_ROOT` (the same
data root as the server). One scrub runs at a time. SIGTERM or SIGINT stop it
gracefully (a scrub in progress is left for another worker to reclaim). Exit status 2
for an invalid environment, 0 after a graceful shutdown; a Redis failure raises.
"""

import asyncio
import logging
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from data_bank_api.engine import Engine
from data_bank_api.files import OS_FILES, FileLayer
from data_bank_api.free_space import statvfs_free_bytes
from data_bank_api.jobs import QUEUE, SCRUB, scrub_handler
from data_bank_api.layout import Layout
from data_bank_api.scrub import Scrubber
from data_bank_api.settings import DataBankWorkerSettings
from platform_core.config import ConfigError, load_settings
from platform_core.logging import configure_logging, log_fields
from platform_workers.async_queue import WorkerCounts, WorkerSettings, run_worker

WORKER = "data-bank-worker"
EXIT_OK = 0
EXIT_BAD_CONFIG = 2

logger = logging.getLogger("data_bank_api.worker")


async def run(
    settings: DataBankWorkerSettings,
    *,
    files: FileLayer = OS_FILES,
    stop: asyncio.Event | None = None,
) -> WorkerCounts:
    """Serve the `databank` queue until SIGTERM/SIGINT (or `stop`); what the worker did."""
    engine = Engine(
        Layout(settings.data_root), files=files, free_space=statvfs_free_bytes, reserve_bytes=0
    )
    handler = SCRUB.handler(scrub_handler(Scrubber(engine)))
    worker = WorkerSettings(redis_url=settings.redis_url, queue=QUEUE, concurrency=1)
    logger.info("worker starting", extra=log_fields(queue=QUEUE, data_root=str(settings.data_root)))
    return await run_worker(worker, [handler], stop=stop)


def main(
    environ: Mapping[str, str] | None = None,
    log_stream: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the worker until SIGTERM or SIGINT; the exit status."""
    try:
        settings = load_settings(DataBankWorkerSettings, os.environ if environ is None else environ)
    except ConfigError as exc:
        (err or sys.stderr).write(f"{WORKER}: cannot start: {exc}\n")
        return EXIT_BAD_CONFIG
    with configure_logging(
        service=WORKER,
        level=settings.log_level,
        fmt=settings.log_format,
        instance=settings.instance_id,
        stream=log_stream,
    ):
        asyncio.run(run(settings))  # the queue's worker logs its start and stop lines
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
