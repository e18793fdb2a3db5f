"""`run_worker_service`: settings, logging, signals and exit status of a worker binary."""

import io
import os
import signal
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, JsonValue, TypeAdapter

from platform_core.config import ConfigError, load_settings
from platform_workers.async_queue import QueueKeys, Runnable, WorkerSettings
from platform_workers.async_queue_testing import ECHO, echo
from platform_workers.service import (
    EXIT_BAD_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    run_worker_service,
)
from platform_workers.testing.redis_server import RedisServer

LINE = TypeAdapter(dict[str, JsonValue])


class Settings(BaseModel):
    """A worker's settings, read from the environment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    redis_url: str
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    instance_id: str | None = None
    concurrency: int = 2


def load(environ: Mapping[str, str]) -> Settings:
    return load_settings(Settings, environ)


def queue_settings(settings: Settings) -> WorkerSettings:
    return WorkerSettings(queue="svc", concurrency=settings.concurrency)


def handlers(settings: Settings) -> list[Runnable]:
    return [ECHO.handler(echo)]


@contextmanager
def sigterm_once_registered(server: RedisServer) -> Iterator[None]:
    """SIGTERM this process once the worker is in the registry (or the block ends)."""
    registry = QueueKeys("svc").workers
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.01):
            if server.command("ZCARD", registry) != b":0\r\n":
                os.kill(os.getpid(), signal.SIGTERM)
                return

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def lines(log: io.StringIO) -> list[dict[str, JsonValue]]:
    return [LINE.validate_json(text) for text in log.getvalue().splitlines()]


def test_a_worker_runs_until_sigterm_and_exits_0(redis_server: RedisServer, redis_url: str) -> None:
    log = io.StringIO()
    with sigterm_once_registered(redis_server):
        status = run_worker_service(
            service="svc-worker",
            settings=load,
            worker=queue_settings,
            tasks=handlers,
            environ={"REDIS_URL": redis_url, "CONCURRENCY": "3"},
            log_stream=log,
        )
    assert status == EXIT_OK
    logged = [(line["message"], line["service"]) for line in lines(log)]
    assert ("worker started", "svc-worker") in logged
    assert ("worker stopped", "svc-worker") in logged
    started = next(line for line in lines(log) if line["message"] == "worker started")
    assert (started["queue"], started["concurrency"]) == ("svc", 3)


def test_the_tasks_resources_are_open_while_the_worker_runs(
    redis_server: RedisServer, redis_url: str
) -> None:
    states: list[str] = []

    @asynccontextmanager
    async def opened(settings: Settings) -> AsyncIterator[list[Runnable]]:
        states.append("open")
        yield [ECHO.handler(echo)]
        states.append("closed")

    with sigterm_once_registered(redis_server):
        status = run_worker_service(
            service="svc-worker",
            settings=load,
            worker=queue_settings,
            tasks=opened,
            environ={"REDIS_URL": redis_url, "LOG_FORMAT": "text"},
            log_stream=io.StringIO(),
        )
    assert status == EXIT_OK
    assert states == ["open", "closed"]


def test_an_invalid_environment_exits_2() -> None:
    err = io.StringIO()
    status = run_worker_service(
        service="svc-worker",
        settings=load,
        worker=queue_settings,
        tasks=handlers,
        environ={},
        err=err,
    )
    assert status == EXIT_BAD_CONFIG
    assert err.getvalue().startswith("svc-worker: cannot start: ")
    assert "REDIS_URL" in err.getvalue()


def test_invalid_worker_settings_exit_2() -> None:
    err = io.StringIO()

    def bad(settings: Settings) -> WorkerSettings:
        return WorkerSettings(queue="svc", concurrency=0)

    status = run_worker_service(
        service="svc-worker",
        settings=load,
        worker=bad,
        tasks=handlers,
        environ={"REDIS_URL": "redis://127.0.0.1:1/0"},
        log_stream=io.StringIO(),
        err=err,
    )
    assert status == EXIT_BAD_CONFIG
    assert "concurrency must be at least 1" in err.getvalue()


def test_a_resource_refusing_its_configuration_exits_2(redis_url: str) -> None:
    err = io.StringIO()

    @asynccontextmanager
    async def refused(settings: Settings) -> AsyncIterator[list[Runnable]]:
        if settings.concurrency > 0:
            raise ConfigError("Settings", ["MODEL_DIR: no such directory"])
        yield []

    status = run_worker_service(
        service="svc-worker",
        settings=load,
        worker=queue_settings,
        tasks=refused,
        environ={"REDIS_URL": redis_url},
        log_stream=io.StringIO(),
        err=err,
    )
    assert status == EXIT_BAD_CONFIG
    assert "MODEL_DIR: no such directory" in err.getvalue()


def test_an_unreachable_redis_exits_1() -> None:
    log = io.StringIO()
    status = run_worker_service(
        service="svc-worker",
        settings=load,
        worker=queue_settings,
        tasks=handlers,
        environ={"REDIS_URL": "redis://127.0.0.1:1/0"},
        log_stream=log,
    )
    assert status == EXIT_FAILED
    [failed] = [line for line in lines(log) if line["message"] == "worker failed"]
    assert failed["queue"] == "svc"
    assert str(failed["error"]).startswith("RedisConnectionError: ")


@pytest.mark.parametrize("stream", ["err", "log_stream"])
def test_the_default_streams_are_stderr_and_stdout(
    stream: str, capsys: pytest.CaptureFixture[str]
) -> None:
    environ = {} if stream == "err" else {"REDIS_URL": "redis://127.0.0.1:1/0"}
    status = run_worker_service(
        service="svc-worker", settings=load, worker=queue_settings, tasks=handlers, environ=environ
    )
    captured = capsys.readouterr()
    if stream == "err":
        assert status == EXIT_BAD_CONFIG
        assert "cannot start" in captured.err
    else:
        assert status == EXIT_FAILED
        assert "worker failed" in captured.out
