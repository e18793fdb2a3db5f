"""The worker binary: `bazel run //services/model-trainer:worker`.

Runs the six tasks of the `trainer` queue (train, evaluate, score, generate, chat,
tokenizer) with the same `TrainerSettings` as the API, logging as `model-trainer-worker`,
until SIGTERM or SIGINT (running jobs get the queue's grace period; a cancelled training
run stops before its next step). Exit status 2 when the environment is invalid.
"""

import asyncio
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from model_trainer.handlers import Handlers
from model_trainer.jobs import QUEUE, trainer_tasks
from model_trainer.sessions import ChatSessions
from model_trainer.settings import TrainerSettings, load_trainer_settings
from model_trainer.storage import Store
from platform_core.async_events import EventPublisher
from platform_core.config import ConfigError
from platform_core.data_bank_client import DataBankClient
from platform_core.logging import configure_logging
from platform_ml import configure_threads
from platform_workers.async_queue import WorkerCounts, WorkerSettings, run_worker
from platform_workers.async_redis import open_redis

SERVICE = "model-trainer-worker"
EXIT_OK = 0
EXIT_BAD_CONFIG = 2


def worker_settings(settings: TrainerSettings) -> WorkerSettings:
    """The queue worker's settings from ours."""
    return WorkerSettings(
        redis_url=settings.redis_url,
        queue=QUEUE,
        concurrency=settings.trainer_worker_concurrency,
        socket_timeout_s=settings.trainer_redis_timeout_seconds,
    )


async def run(
    settings: TrainerSettings,
    *,
    stop: asyncio.Event | None = None,
    has_cuda: bool | None = None,
) -> WorkerCounts:
    """Serve the trainer tasks until SIGTERM/SIGINT (or `stop`); what the worker did."""
    if settings.trainer_threads:
        configure_threads(settings.trainer_threads)
    async with (
        open_redis(
            settings.redis_url, socket_timeout_s=settings.trainer_redis_timeout_seconds
        ) as redis,
        DataBankClient(
            settings.data_bank_url,
            settings.data_bank_api_key.get_secret_value(),
            timeout_s=settings.trainer_data_bank_timeout_seconds,
        ) as bank,
    ):
        handlers = Handlers(
            settings,
            trainer_tasks(settings),
            Store(bank, max_corpus_bytes=settings.trainer_max_corpus_bytes),
            EventPublisher(redis),
            ChatSessions(redis, settings.trainer_chat_session_ttl_seconds),
            has_cuda=has_cuda,
        )
        return await run_worker(worker_settings(settings), handlers.runnables(), stop=stop)


def main(environ: Mapping[str, str] = os.environ, err: TextIO = sys.stderr) -> int:
    """Run the worker; the exit status."""
    try:
        settings = load_trainer_settings(environ)
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
