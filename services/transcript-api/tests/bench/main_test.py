"""The benchmark end to end, small: a few clients, a fast fake YouTube."""

import asyncio
import pathlib
import runpy
import sys

import pytest

import transcript_bench.main
from platform_core.loadgen import ServerStartError, free_port
from transcript_bench.main import Figures, bench_server, captions_requests, main, server_env

MAIN = pathlib.Path(transcript_bench.main.__file__)


def test_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--concurrency", "3", "--rounds", "2", "--latency-ms", "5", "--ytdlp-threads", "2"]
    assert main(args) == 0
    figures = Figures.model_validate_json(capsys.readouterr().out)
    assert (figures.concurrency, figures.requests, figures.errors) == (3, 6, 0)
    assert figures.captions.count == 6
    assert figures.captions.p50_ms >= 10.0  # two YouTube round trips of 5 ms each at least
    assert figures.requests_per_s > 0
    assert figures.server_loop_lag.count > 0


def test_runs_as_a_script(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "benchmark",
            "--concurrency",
            "1",
            "--rounds",
            "1",
            "--latency-ms",
            "1",
            "--ytdlp-threads",
            "1",
        ],
    )
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(MAIN), run_name="__main__")
    assert exited.value.code == 0
    assert Figures.model_validate_json(capsys.readouterr().out).requests == 1


async def test_a_server_that_cannot_start(tmp_path: pathlib.Path) -> None:
    port = free_port()
    env = server_env("http://127.0.0.1:1", tmp_path / "lag.json", None, port)
    del env["OPENAI_API_KEY"]
    with pytest.raises(ServerStartError, match="OPENAI_API_KEY is required"):
        async with bench_server(env, port):
            pytest.fail("started")


def test_each_client_asks_for_its_own_videos() -> None:
    captions = captions_requests(rounds=3)
    first, last = captions(0, 0), captions(2, 2)
    assert (first.method, first.target) == ("POST", "/v1/captions")
    assert first.body == b'{"url": "https://youtu.be/bench000000"}'
    assert last.body == b'{"url": "https://youtu.be/bench000008"}'
    assert asyncio.iscoroutinefunction(transcript_bench.main.run)
