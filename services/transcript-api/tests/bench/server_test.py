"""The benchmark server: the app served with a lag sampler, samples written at shutdown."""

import asyncio
import http.client
import os
import pathlib
import runpy
import signal
import threading

import pytest
from pydantic import SecretStr

import transcript_bench.server
from platform_core.blocking import run_blocking
from platform_core.http import Listening
from platform_core.http_testing import http_client
from transcript_api.settings import TranscriptSettings
from transcript_bench.lag import LagSamples
from transcript_bench.server import main, serve_measured

SERVER = pathlib.Path(transcript_bench.server.__file__)


async def test_serves_and_writes_the_lag_samples(tmp_path: pathlib.Path) -> None:
    settings = TranscriptSettings(
        redis_url="redis://127.0.0.1:1/0",
        openai_api_key=SecretStr("sk"),
        host="127.0.0.1",
        port=0,
        transcript_ytdlp_concurrency=1,
    )
    lag_file = tmp_path / "lag.json"
    stop = asyncio.Event()
    listening: asyncio.Future[Listening] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(
        serve_measured(settings, lag_file, shutdown=stop, on_listening=listening.set_result)
    )
    where = await listening
    async with http_client(where.url) as client:
        response = await client.get("/healthz")
    assert (response.status_code, response.content) == (200, b'{"status":"ok"}')
    stop.set()
    await server
    samples = LagSamples.model_validate_json(await run_blocking(lag_file.read_text))
    assert samples.interval_s == 0.01
    assert samples.samples


def test_a_bad_environment_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main({"BENCH_LAG_FILE": "/tmp/x"}) == 2
    assert "OPENAI_API_KEY is required" in capsys.readouterr().err
    assert main({"REDIS_URL": "redis://127.0.0.1:1/0", "OPENAI_API_KEY": "k"}) == 2
    assert "set BENCH_LAG_FILE" in capsys.readouterr().err


def test_main_serves_until_sigterm(tmp_path: pathlib.Path, unused_tcp_port: int) -> None:
    lag_file = tmp_path / "lag.json"
    stopped = threading.Event()

    def stop_once_serving() -> None:
        while not stopped.wait(0.02):
            connection = http.client.HTTPConnection("127.0.0.1", unused_tcp_port, timeout=1)
            try:
                connection.request("GET", "/healthz")
                status = connection.getresponse().status
            except OSError:
                continue
            finally:
                connection.close()
            if status == 200:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    watcher = threading.Thread(target=stop_once_serving)
    watcher.start()
    try:
        status = main(
            {
                "REDIS_URL": "redis://127.0.0.1:1/0",
                "OPENAI_API_KEY": "k",
                "HOST": "127.0.0.1",
                "PORT": str(unused_tcp_port),
                "LOG_FORMAT": "text",
                "TRANSCRIPT_YTDLP_CONCURRENCY": "1",
                "BENCH_LAG_FILE": str(lag_file),
            }
        )
    finally:
        stopped.set()
        watcher.join()
    assert status == 0
    assert LagSamples.model_validate_json(lag_file.read_text()).interval_s == 0.01


def test_runs_as_a_script(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_LAG_FILE", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(SERVER), run_name="__main__")
    assert exited.value.code == 2
