"""`run_worker_service`: read the settings, set up logging, run the worker, exit status.

The worker runs until SIGTERM or SIGINT, then stops gracefully (running jobs get the
queue's grace period; unfinished ones stay reclaimable by other workers).

Exit status: 2 when the environment is invalid (a `ConfigError` from the settings
loader, a `ConfigError`/`ValueError` from building the worker's settings or its tasks,
a `ConfigError` from opening the tasks' resources; the message goes to stderr); 1 when
the worker stopped on a failure (Redis unreachable or failing, a resource that would not
open: logged as `worker failed`); 0 after a graceful stop.
"""

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Literal, Protocol, TextIO, TypeVar

from platform_core.config import ConfigError
from platform_core.logging import configure_logging, log_fields
from platform_workers.async_queue import Runnable, WorkerSettings, run_worker
from platform_workers.async_redis import RedisError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2

logger = logging.getLogger("platform_workers.service")


class WorkerProcessSettings(Protocol):
    """What the entry point reads from a service's settings (`RedisSettings` plus the
    logging fields of `ServiceSettings` have them)."""

    @property
    def redis_url(self) -> str:
        """Where Redis is."""
        ...

    @property
    def log_level(self) -> str:
        """A standard level name."""
        ...

    @property
    def log_format(self) -> Literal["json", "text"]:
        """Log lines as JSON or text."""
        ...

    @property
    def instance_id(self) -> str | None:
        """This process's name in the logs (None: `<hostname>-<pid>`)."""
        ...


S = TypeVar("S", bound=WorkerProcessSettings)

TaskList = Sequence[Runnable] | AbstractAsyncContextManager[Sequence[Runnable]]
"""A worker's task handlers, or an async context manager that opens the resources they
use and yields them (closed once the worker has stopped)."""


class _BadConfigError(Exception):
    """Building the worker's settings or tasks found the configuration invalid."""


async def _serve(redis_url: str, settings: WorkerSettings, tasks: TaskList) -> None:
    if isinstance(tasks, AbstractAsyncContextManager):
        async with tasks as handlers:
            await run_worker(redis_url, settings, handlers)
    else:
        await run_worker(redis_url, settings, tasks)


def _plan(
    loaded: S, worker: Callable[[S], WorkerSettings], tasks: Callable[[S], TaskList]
) -> tuple[WorkerSettings, TaskList]:
    try:
        return worker(loaded), tasks(loaded)
    except (ConfigError, ValueError) as exc:
        raise _BadConfigError(str(exc)) from exc


def _bad_config(service: str, errors: TextIO, problem: Exception) -> int:
    logger.error("cannot start: %s", problem)
    errors.write(f"{service}: cannot start: {problem}\n")
    return EXIT_BAD_CONFIG


def run_worker_service(
    *,
    service: str,
    settings: Callable[[Mapping[str, str]], S],
    worker: Callable[[S], WorkerSettings],
    tasks: Callable[[S], TaskList],
    environ: Mapping[str, str] | None = None,
    log_stream: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Load `settings` from the environment, log as `service`, run the worker made of
    `worker(settings)` and `tasks(settings)` until SIGTERM or SIGINT; the exit
    status (see the module docstring)."""
    errors = err if err is not None else sys.stderr
    try:
        loaded = settings(os.environ if environ is None else environ)
    except ConfigError as exc:
        errors.write(f"{service}: cannot start: {exc}\n")
        return EXIT_BAD_CONFIG
    with configure_logging(
        service=service,
        level=loaded.log_level,
        fmt=loaded.log_format,
        instance=loaded.instance_id,
        stream=log_stream,
    ):
        try:
            queue, handlers = _plan(loaded, worker, tasks)
        except _BadConfigError as exc:
            return _bad_config(service, errors, exc)
        try:
            asyncio.run(_serve(loaded.redis_url, queue, handlers))
        except ConfigError as exc:  # from opening the tasks' resources
            return _bad_config(service, errors, exc)
        except (RedisError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            logger.exception("worker failed", extra=log_fields(queue=queue.queue, error=error))
            return EXIT_FAILED
    return EXIT_OK
