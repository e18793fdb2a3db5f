"""The server and worker binaries' entry points."""

import asyncio
import io
import os
import runpy
import signal
import threading
import types
from pathlib import Path

import pytest
from pydantic import TypeAdapter

import data_bank_api.server
import data_bank_api.worker
from platform_workers.async_queue import Queue
from platform_workers.async_queue_testing import wait_until
from platform_workers.async_redis import open_redis


def test_server_with_an_invalid_environment_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert data_bank_api.server.main(environ={"REDIS_URL": "redis://127.0.0.1:1/0"}) == 2
    assert "API_UPLOAD_KEYS is required" in capsys.readouterr().err


def test_worker_with_an_invalid_environment_exits_2() -> None:
    err = io.StringIO()
    assert data_bank_api.worker.main(environ={}, err=err) == 2
    assert "REDIS_URL is required" in err.getvalue()


@pytest.mark.parametrize("module", [data_bank_api.server, data_bank_api.worker])
def test_binaries_run_as_scripts(
    module: types.ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("API_UPLOAD_KEYS", raising=False)
    assert module.__file__ is not None
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(module.__file__, run_name="__main__")
    assert exited.value.code == 2
    assert "is required" in capsys.readouterr().err


def test_the_worker_runs_until_sigterm(redis_url: str, tmp_path: Path) -> None:
    """`main` serves the queue, then stops gracefully on SIGTERM with exit status 0."""
    failures: list[BaseException] = []

    async def terminate_when_live() -> None:
        try:
            async with open_redis(redis_url) as redis:
                queue = Queue(redis, "databank")

                async def live() -> bool:
                    return await queue.live_workers() > 0

                await wait_until(live, timeout_s=20)
        finally:
            # Also on failure: a worker left running would hang the test.
            os.kill(os.getpid(), signal.SIGTERM)

    def watcher() -> None:
        try:
            asyncio.run(terminate_when_live())
        except BaseException as exc:
            failures.append(exc)
            raise

    thread = threading.Thread(target=watcher, daemon=True)
    thread.start()
    log = io.StringIO()
    status = data_bank_api.worker.main(
        environ={"REDIS_URL": redis_url, "DATA_ROOT": str(tmp_path), "LOG_FORMAT": "json"},
        log_stream=log,
    )
    thread.join(10)
    assert failures == []
    assert status == 0
    worker_lines: dict[str, dict[str, object]] = {}
    for text in log.getvalue().splitlines():
        line = TypeAdapter(dict[str, object]).validate_json(text)
        if line["logger"] == "platform_workers.async_queue.worker":
            worker_lines[str(line["message"])] = line
    assert set(worker_lines) == {"worker started", "worker stopped"}
    stopped = worker_lines["worker stopped"]
    assert (stopped["queue"], stopped["concurrency"], stopped["graceful"]) == ("databank", 1, True)
