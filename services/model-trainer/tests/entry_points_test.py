"""The server and worker binaries' entry points: bad environments, a clean SIGTERM stop."""

import io
import os
import pathlib
import runpy
import signal
import threading

import pytest

import model_trainer.server
import model_trainer.worker
from platform_workers.async_queue import QueueKeys
from platform_workers.testing.redis_server import RedisServer

SERVER = pathlib.Path(model_trainer.server.__file__)
WORKER = pathlib.Path(model_trainer.worker.__file__)
BASE = {"DATA_BANK_URL": "http://127.0.0.1:9", "DATA_BANK_API_KEY": "k", "API_KEY": "k"}


def test_server_without_redis_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert model_trainer.server.main(BASE) == 2
    assert "REDIS_URL is required but not set" in capsys.readouterr().err


def test_worker_without_a_data_bank_exits_2() -> None:
    err = io.StringIO()
    assert model_trainer.worker.main({"REDIS_URL": "redis://127.0.0.1:1/0"}, err) == 2
    assert err.getvalue().startswith("model-trainer-worker: cannot start: ")
    assert "DATA_BANK_URL is required but not set" in err.getvalue()


@pytest.mark.parametrize("script", [SERVER, WORKER], ids=["server", "worker"])
def test_runs_as_a_script(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], script: pathlib.Path
) -> None:
    monkeypatch.delenv("DATA_BANK_URL", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(script), run_name="__main__")
    assert exited.value.code == 2
    assert "DATA_BANK_URL is required but not set" in capsys.readouterr().err


def test_the_worker_runs_until_sigterm(
    redis_server: RedisServer, redis_url: str, tmp_path: pathlib.Path
) -> None:
    registry = QueueKeys("trainer").workers
    stopped = threading.Event()

    def stop_once_registered() -> None:
        while not stopped.wait(0.01):
            if redis_server.command("ZCARD", registry) != b":0\r\n":
                os.kill(os.getpid(), signal.SIGTERM)
                return

    watcher = threading.Thread(target=stop_once_registered)
    watcher.start()
    try:
        status = model_trainer.worker.main(
            {
                **BASE,
                "REDIS_URL": redis_url,
                "LOG_FORMAT": "text",
                "TRAINER_THREADS": "1",
                "TRAINER_ARTIFACTS_ROOT": str(tmp_path),
            }
        )
    finally:
        stopped.set()
        watcher.join()
    assert status == 0
