"""The command line and the rich display, end to end against a real Redis."""

import asyncio
import io
import os
import runpy
import signal
import sys

import pytest
from rich.console import Console

from job_views import JobView
from job_watch import RichSink, main, run
from job_watch.main import EXIT_BAD_USAGE, EXIT_OK, EXIT_REDIS, WatchArgs, parse_args
from platform_core.async_events import (
    EventPublisher,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobStarted,
)
from platform_workers.async_redis import open_redis
from platform_workers.testing import RedisServer


class Screen(io.StringIO):
    """What the console wrote; `shows(text)` waits until `text` is there."""

    def __init__(self) -> None:
        super().__init__()
        self._written = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def write(self, text: str) -> int:
        # rich's refresh thread writes too: wake the loop thread-safely.
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._written.set)
        return super().write(text)

    async def shows(self, text: str) -> None:
        self._loop = asyncio.get_running_loop()
        while text not in self.getvalue():
            self._written.clear()
            await self._written.wait()


def console() -> tuple[Console, Screen]:
    out = Screen()
    return Console(file=out, width=160, force_terminal=False, color_system=None), out


async def seed(publisher: EventPublisher) -> str:
    await publisher.publish(JobStarted(domain="turkic", job_id="c1", user_id=9, queue="turkic"))
    await publisher.publish(
        JobProgress(domain="turkic", job_id="c1", user_id=9, progress=40, message="processing")
    )
    return await publisher.publish(
        JobCompleted(domain="turkic", job_id="c1", user_id=9, result_id="f9", result_bytes=5000)
    )


def seeded(redis_url: str) -> str:
    async def publish() -> str:
        async with open_redis(redis_url) as redis:
            return await seed(EventPublisher(redis))

    return asyncio.run(publish())


def test_arguments() -> None:
    assert parse_args(["qr"]) == WatchArgs("qr", None, "now", until_done=False, redis_url=None)
    assert parse_args(["qr", "j", "--until-done", "--redis-url", "redis://h"]) == WatchArgs(
        "qr", "j", "start", until_done=True, redis_url="redis://h"
    )
    assert parse_args(["qr", "--from", "12-3"]).start == "12-3"
    assert parse_args(["qr", "--from", "start"]).start == "start"
    for bad in (["Bad:Domain"], ["qr", "--from", "$"], ["qr", "--until-done"]):
        with pytest.raises(SystemExit) as exited:
            parse_args(bad)
        assert exited.value.code == EXIT_BAD_USAGE


def test_a_job_to_its_end_prints_its_summary_and_where_to_resume(redis_url: str) -> None:
    last = seeded(redis_url)
    out, text = console()
    args = ["turkic", "c1", "--until-done", "--redis-url", redis_url]
    assert main(args, {}, out) == EXIT_OK
    shown = text.getvalue()
    assert "turkic job c1: completed\n[####################] 100%\nresult f9 (4.9 KiB)" in shown
    assert shown.endswith(f"resume with: tools/watch turkic c1 --from {last}\n")


async def test_now_shows_only_new_events_and_a_signal_stops_it(
    publisher: EventPublisher, redis_url: str
) -> None:
    await seed(publisher)
    out, text = console()
    stop = asyncio.Event()
    args = WatchArgs("turkic", None, "now", until_done=False, redis_url=None)
    watching = asyncio.create_task(run(args, redis_url, out, stop=stop))
    await asyncio.sleep(0.3)
    failed = await publisher.publish(
        JobFailed(domain="turkic", job_id="c2", user_id=1, error_kind="system", message="disk")
    )
    await asyncio.wait_for(text.shows("c2: failed"), 5)
    await asyncio.sleep(0.2)  # stop while the reader waits (see follow_test.PAUSE_S)
    os.kill(os.getpid(), signal.SIGINT)
    assert await asyncio.wait_for(watching, 5) == failed
    assert "c1" not in text.getvalue()
    assert "error (system: disk)" in text.getvalue()


async def test_resume_after_a_position(publisher: EventPublisher, redis_url: str) -> None:
    last = await seed(publisher)
    done = await publisher.publish(
        JobCompleted(domain="turkic", job_id="c3", user_id=1, result_id="z", result_bytes=0)
    )
    out, text = console()
    stop = asyncio.Event()
    args = WatchArgs("turkic", "c3", last, until_done=True, redis_url=None)
    assert await run(args, redis_url, out, stop=stop) == done
    assert "c1" not in text.getvalue()
    assert "turkic job c3: completed" in text.getvalue()


def test_environment_and_unreachable_redis(redis_server: RedisServer) -> None:
    out, text = console()
    assert main(["qr"], {}, out) == EXIT_BAD_USAGE
    assert "REDIS_URL" in text.getvalue()
    closed = "redis://127.0.0.1:1/0"
    out, text = console()
    assert main(["qr"], {"REDIS_URL": closed}, out) == EXIT_REDIS
    assert text.getvalue().startswith("watch: ")
    assert redis_server.running


def test_runs_as_a_module(
    redis_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    last = seeded(redis_url)
    monkeypatch.setattr(sys, "argv", ["watch", "turkic", "c1", "--until-done"])
    monkeypatch.setenv("REDIS_URL", redis_url)
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("job_watch", run_name="__main__")
    assert exited.value.code == EXIT_OK
    assert f"--from {last}" in capsys.readouterr().out


def test_the_sink_draws_bars_and_notes() -> None:
    out, text = console()
    with RichSink(out) as sink:
        sink.job(JobView(domain="qr", job_id="j", user_id=1, message="m", metrics="x"))
        sink.job(JobView(domain="qr", job_id="j", user_id=1, status="running", progress=50))
        sink.job(
            JobView(domain="qr", job_id="j", user_id=1, status="failed", error=None, progress=50)
        )
        sink.note("a note")
    shown = text.getvalue()
    assert "qr job j: failed\nerror (None)" in shown
    assert "a note" in shown
    assert "qr j failed" in shown
