"""The server and worker binaries' entry points: bad environments, a clean SIGTERM stop."""

import io
import os
import pathlib
import runpy
import signal
import threading

import pytest

import transcript_api.server
import transcript_api.worker
from platform_workers.async_queue import QueueKeys
from platform_workers.testing.redis_server import RedisServer

SERVER = pathlib.Path(transcript_api.server.__file__)
WORKER = pathlib.Path(transcript_api.worker.__file__)


def test_server_without_an_api_key_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert transcript_api.server.main({"REDIS_URL": "redis://127.0.0.1:1/0"}) == 2
    assert "OPENAI_API_KEY is required but not set" in capsys.readouterr().err


def test_worker_without_redis_exits_2() -> None:
    err = io.StringIO()
    assert transcript_api.worker.main({"OPENAI_API_KEY": "k"}, err) == 2
    assert err.getvalue().startswith("transcript-worker: cannot start: ")
    assert "REDIS_URL is required but not set" in err.getvalue()


@pytest.mark.parametrize("script", [SERVER, WORKER], ids=["server", "worker"])
def test_runs_as_a_script(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], script: pathlib.Path
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPEN_AI_API_KEY", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(script), run_name="__main__")
    assert exited.value.code == 2
    assert "OPENAI_API_KEY is required but not set" in capsys.readouterr().err


def test_the_worker_runs_until_sigterm(redis_server: RedisServer, redis_url: str) -> None:
    registry = QueueKeys("transcript").workers
    stopped = threading.Event()

    def stop_once_registered() -> None:
        while not stopped.wait(0.01):
            if redis_server.command("ZCARD", registry) != b":0\r\n":
                os.kill(os.getpid(), signal.SIGTERM)
                return

    watcher = threading.Thread(target=stop_once_registered)
    watcher.start()
    try:
        status = transcript_api.worker.main(
            {"REDIS_URL": redis_url, "OPENAI_API_KEY": "k", "LOG_FORMAT": "text"}
        )
    finally:
        stopped.set()
        watcher.join()
    assert status == 0
    assert redis_server.command("ZCARD", registry) == b":0\r\n"
