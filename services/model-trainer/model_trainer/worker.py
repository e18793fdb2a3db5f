"""The worker binary: `bazel run //services/model-trainer:worker`.

Runs the six tasks of the `trainer` queue (train, evaluate, score, generate, chat,
tokenizer) with the same `TrainerSettings` as the API, logging as `model-trainer-worker`,
until SIGTERM or SIGINT (running jobs get the queue's grace period; a cancelled training
run stops before its next step). The exit status is `run_worker_service`'s: 2 when the
environment is invalid, 1 when Redis failed, 0 after a graceful stop.
"""

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TextIO

from model_trainer.handlers import Handlers
from model_trainer.jobs import QUEUE, trainer_tasks
from model_trainer.sessions import ChatSessions
from model_trainer.settings import TrainerSettings, load_trainer_settings
from model_trainer.storage import Store
from platform_core.async_events import EventPublisher
from platform_core.data_bank_client import DataBankClient
from platform_ml import configure_threads
from platform_workers.async_queue import Runnable, WorkerCounts, WorkerSettings, run_worker
from platform_workers.async_redis import open_redis
from platform_workers.service import run_worker_service

SERVICE = "model-trainer-worker"


def worker_settings(settings: TrainerSettings) -> WorkerSettings:
    """The queue worker's settings from ours."""
    return WorkerSettings(
        queue=QUEUE,
        concurrency=settings.trainer_worker_concurrency,
        socket_timeout_s=settings.trainer_redis_timeout_seconds,
    )


@asynccontextmanager
async def tasks(
    settings: TrainerSettings, *, has_cuda: bool | None = None
) -> AsyncIterator[Sequence[Runnable]]:
    """The trainer tasks, with the Redis connection (events, chat sessions) and the
    data-bank client they use open while the worker runs."""
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
        yield handlers.runnables()


async def run(
    settings: TrainerSettings,
    *,
    stop: asyncio.Event | None = None,
    has_cuda: bool | None = None,
) -> WorkerCounts:
    """The same worker in this event loop until `stop` (tests, the benchmark); what it
    did."""
    async with tasks(settings, has_cuda=has_cuda) as handlers:
        return await run_worker(settings.redis_url, worker_settings(settings), handlers, stop=stop)


def main(environ: Mapping[str, str] = os.environ, err: TextIO = sys.stderr) -> int:
    """Run the worker; the exit status."""
    return run_worker_service(
        service=SERVICE,
        settings=load_trainer_settings,
        worker=worker_settings,
        tasks=tasks,
        environ=environ,
        err=err,
    )


if __name__ == "__main__":
    sys.exit(main())
