"""The binaries' entry points: bad environments, scripts, a clean SIGTERM stop, and the
dev data tool."""

import io
import os
import pathlib
import runpy
import signal
import threading

import pytest

import handwriting_ai.dev_prepare
import handwriting_ai.server
import handwriting_ai.worker
from handwriting_ai.idx import has_mnist
from handwriting_ai_testing import make_settings
from platform_workers.async_queue import QueueKeys
from platform_workers.testing.pytest_plugin import redis_server, redis_url
from platform_workers.testing.redis_server import RedisServer

__all__ = ["redis_server", "redis_url"]

SCRIPTS = [
    pathlib.Path(module.__file__ or "")
    for module in (handwriting_ai.server, handwriting_ai.worker, handwriting_ai.dev_prepare)
]


def test_bad_environment_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    err = io.StringIO()
    assert handwriting_ai.worker.main({}, err) == 2
    assert "digits-worker: cannot start" in err.getvalue()
    assert handwriting_ai.server.main({"REDIS_URL": "redis://127.0.0.1:1/0"}) == 2
    assert "APP__DATA_ROOT is required but not set" in capsys.readouterr().err


@pytest.mark.parametrize("script", SCRIPTS, ids=["server", "worker", "dev_prepare"])
def test_runs_as_a_script(monkeypatch: pytest.MonkeyPatch, script: pathlib.Path) -> None:
    for name in ("REDIS_URL", "SECURITY__API_KEY", "APP__DATA_ROOT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(script), run_name="__main__")
    assert exited.value.code == 2


def test_the_worker_runs_until_sigterm(
    redis_server: RedisServer, redis_url: str, tmp_path: pathlib.Path
) -> None:
    registry = QueueKeys("digits").workers
    stopped = threading.Event()

    def stop_once_registered() -> None:
        while not stopped.wait(0.01):
            if redis_server.command("ZCARD", registry) != b":0\r\n":
                os.kill(os.getpid(), signal.SIGTERM)
                return

    settings = make_settings(tmp_path, redis_url)
    env = {
        "REDIS_URL": redis_url,
        "SECURITY__API_KEY": "k",
        "APP__DATA_ROOT": str(settings.data_root),
        "APP__ARTIFACTS_ROOT": str(settings.artifacts_root),
        "DIGITS__MODEL_DIR": str(settings.model_dir),
        "LOG_FORMAT": "text",
    }
    watcher = threading.Thread(target=stop_once_registered)
    watcher.start()
    try:
        assert handwriting_ai.worker.main(env) == 0
    finally:
        stopped.set()
        watcher.join()


def test_dev_prepare_writes_the_digits_once(tmp_path: pathlib.Path) -> None:
    out = io.StringIO()
    assert handwriting_ai.dev_prepare.main({}, out) == 2
    assert handwriting_ai.dev_prepare.main({"APP__DATA_ROOT": str(tmp_path)}, out) == 0
    assert has_mnist(tmp_path / "mnist")
    assert handwriting_ai.dev_prepare.main({"APP__DATA_ROOT": str(tmp_path)}, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[1] == f"dev_prepare: wrote 10 digits to read to {tmp_path / 'samples'}"
    assert lines[2].startswith("dev_prepare: wrote the bundled digits")
    assert lines[4].startswith("dev_prepare: MNIST files already in")
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == [
        f"{digit}.png" for digit in range(10)
    ]
