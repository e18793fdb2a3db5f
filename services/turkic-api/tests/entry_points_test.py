"""The server and worker binaries' entry points: bad environments, a clean SIGTERM stop."""

import asyncio
import io
import os
import pathlib
import runpy
import signal
import threading

import pytest

import turkic_api.server
import turkic_api.worker
from platform_workers.async_queue import Queue, QueueKeys
from platform_workers.async_redis import open_redis
from platform_workers.testing.redis_server import RedisServer
from turkic_api.jobs import QUEUE, CorpusPayload, corpus_task
from turkic_api.settings import load_turkic_settings

SERVER = pathlib.Path(turkic_api.server.__file__)
WORKER = pathlib.Path(turkic_api.worker.__file__)


def test_server_without_a_data_bank_key_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert turkic_api.server.main({"REDIS_URL": "redis://127.0.0.1:1/0"}) == 2
    assert "TURKIC_DATA_BANK_API_KEY is required but not set" in capsys.readouterr().err


def test_worker_without_redis_exits_2() -> None:
    err = io.StringIO()
    assert turkic_api.worker.main({"TURKIC_DATA_BANK_API_KEY": "k"}, err) == 2
    assert err.getvalue().startswith("turkic-worker: cannot start: ")
    assert "REDIS_URL is required but not set" in err.getvalue()


@pytest.mark.parametrize("script", [SERVER, WORKER], ids=["server", "worker"])
def test_runs_as_a_script(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], script: pathlib.Path
) -> None:
    monkeypatch.delenv("TURKIC_DATA_BANK_API_KEY", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(script), run_name="__main__")
    assert exited.value.code == 2
    assert "TURKIC_DATA_BANK_API_KEY is required but not set" in capsys.readouterr().err


async def enqueue_doomed_job(environ: dict[str, str]) -> str:
    """A job whose dump cannot be downloaded (nothing listens at the dumps URL)."""
    settings = load_turkic_settings(environ)
    async with open_redis(settings.redis_url) as redis:
        payload = CorpusPayload(
            source="wikipedia",
            language="kk",
            script=None,
            max_sentences=1,
            transliterate=False,
            confidence_threshold=0.0,
        )
        job = await Queue(redis, QUEUE).enqueue(corpus_task(settings), payload, user_id=1)
        return job.job_id


def test_the_worker_runs_jobs_until_sigterm(
    redis_server: RedisServer, redis_url: str, tmp_path: pathlib.Path
) -> None:
    registry = QueueKeys("turkic").workers
    stopped = threading.Event()
    environ = {
        "REDIS_URL": redis_url,
        "TURKIC_DATA_BANK_API_URL": "http://127.0.0.1:1",
        "TURKIC_DATA_BANK_API_KEY": "k",
        "TURKIC_DATA_DIR": str(tmp_path),
        "TURKIC_WIKIPEDIA_BASE_URL": "http://127.0.0.1:1",
        "LOG_FORMAT": "text",
    }
    job_id = asyncio.run(enqueue_doomed_job(environ))
    job_key = QueueKeys("turkic").job(job_id)

    def stop_once_the_job_failed() -> None:
        while not stopped.wait(0.01):
            if redis_server.command("HGET", job_key, "status") == b"$6\r\nfailed\r\n":
                os.kill(os.getpid(), signal.SIGTERM)
                return

    watcher = threading.Thread(target=stop_once_the_job_failed)
    watcher.start()
    try:
        status = turkic_api.worker.main(environ)
    finally:
        stopped.set()
        watcher.join()
    assert status == 0
    assert redis_server.command("ZCARD", registry) == b":0\r\n"
