"""The benchmark end to end, small: a few clients, a fast fake YouTube."""

import asyncio
import pathlib
import runpy
import sys

import pytest

import transcript_bench.main
from transcript_bench.main import Figures, listening_url, main, server_env, server_process

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
    env = server_env("http://127.0.0.1:1", tmp_path / "lag.json", None)
    del env["OPENAI_API_KEY"]
    with pytest.raises(RuntimeError, match="OPENAI_API_KEY is required"):
        async with server_process(env, tmp_path / "server.log"):
            pass


def test_listening_url_skips_other_lines(tmp_path: pathlib.Path) -> None:
    log = tmp_path / "log"
    log.write_text(
        'plain text\n{"message": "started"}\n{"message": "listening", "url": "http://h:1"}\n'
    )
    assert listening_url(log) == "http://h:1"
    log.write_text("")
    assert listening_url(log) is None
    assert asyncio.iscoroutinefunction(transcript_bench.main.run)
