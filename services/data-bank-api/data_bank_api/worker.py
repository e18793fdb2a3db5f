"""The data-bank worker binary: runs the integrity scrub jobs of the `databank` queue.

`bazel run //services/data-bank-api:worker` with `REDIS_URL` and `DATA_ROOT` (the same
data root as the server). One scrub runs at a time. SIGTERM or SIGINT stop it
gracefully (a scrub in progress is left for another worker to reclaim). The exit
status is `run_worker_service`'s: 2 for an invalid environment, 1 when Redis failed,
0 after a graceful shutdown.
"""

import logging
import os
from collections.abc import Mapping
from typing import TextIO

from data_bank_api.engine import Engine
from data_bank_api.files import OS_FILES
from data_bank_api.free_space import statvfs_free_bytes
from data_bank_api.jobs import QUEUE, SCRUB, scrub_handler
from data_bank_api.layout import Layout
from data_bank_api.scrub import Scrubber
from data_bank_api.settings import DataBankWorkerSettings
from platform_core.config import load_settings
from platform_core.logging import log_fields
from platform_workers.async_queue import Runnable, WorkerSettings
from platform_workers.service import run_worker_service

WORKER = "data-bank-worker"

logger = logging.getLogger("data_bank_api.worker")


def load(environ: Mapping[str, str]) -> DataBankWorkerSettings:
    """The worker's settings from `environ` (`ConfigError` if invalid)."""
    return load_settings(DataBankWorkerSettings, environ)


def worker_settings(settings: DataBankWorkerSettings) -> WorkerSettings:
    """The `databank` queue, one scrub at a time."""
    return WorkerSettings(queue=QUEUE, concurrency=1)


def tasks(settings: DataBankWorkerSettings) -> list[Runnable]:
    """The scrub task on the data root."""
    engine = Engine(
        Layout(settings.data_root), files=OS_FILES, free_space=statvfs_free_bytes, reserve_bytes=0
    )
    logger.info("worker starting", extra=log_fields(queue=QUEUE, data_root=str(settings.data_root)))
    return [SCRUB.handler(scrub_handler(Scrubber(engine)))]


def main(
    environ: Mapping[str, str] | None = None,
    log_stream: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the worker until SIGTERM or SIGINT; the exit status."""
    return run_worker_service(
        service=WORKER,
        settings=load,
        worker=worker_settings,
        tasks=tasks,
        environ=os.environ if environ is None else environ,
        log_stream=log_stream,
        err=err,
    )


if __name__ == "__main__":
    raise SystemExit(main())
