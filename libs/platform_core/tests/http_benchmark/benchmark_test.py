"""The benchmark's parts, run briefly (no figure is asserted: benchmarks are not tests)."""

import asyncio
import io
import os
import runpy
import signal
import sys
import threading

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from platform_core.http_benchmark.apps import PATH, PING_BODY, bare_app, kit_app
from platform_core.http_benchmark.load import LoadError, measure
from platform_core.http_benchmark.main import Port, Report, main, run, server_process
from platform_core.http_benchmark.server import run_server
from platform_core.http_testing import app_client, running_server

TIMEOUT_S = 30.0


async def test_both_apps_answer_the_same_body() -> None:
    for app in (kit_app(), bare_app()):
        async with app_client(app) as client:
            response = await client.get(PATH)
        assert (response.status_code, response.content) == (200, PING_BODY)
        assert response.headers["content-type"] == "application/json"


class AnnouncedInLoop(io.StringIO):
    """Where an in-process server prints its port (from the event loop)."""

    def __init__(self) -> None:
        super().__init__()
        self.written = asyncio.Event()

    def write(self, text: str) -> int:
        """Record, and note the announcement."""
        count = super().write(text)
        self.written.set()
        return count


async def test_run_server_announces_its_port_and_serves() -> None:
    announce = AnnouncedInLoop()
    shutdown = asyncio.Event()
    task = asyncio.create_task(run_server("kit", announce, shutdown=shutdown))
    async with asyncio.timeout(TIMEOUT_S):
        await announce.written.wait()
    port = Port.model_validate_json(announce.getvalue()).port
    figures = await measure("127.0.0.1", port, PATH, connections=2, duration_s=0.2, warmup_s=0.05)
    shutdown.set()
    await task
    assert figures.requests > 0
    assert figures.duration_s == 0.2
    assert 0 < figures.p50_ms <= figures.p99_ms


def plain_app(status: int, body: bytes) -> Starlette:
    """An app answering every GET with `status` and `body`."""

    async def answer(_: Request) -> Response:
        return Response(body, status)

    return Starlette(routes=[Route(PATH, answer)])


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [(404, b"no", "unexpected answer"), (200, b"", "an answer without a body")],
)
async def test_measure_refuses_wrong_answers(status: int, body: bytes, message: str) -> None:
    async with running_server(plain_app(status, body)) as server:
        with pytest.raises(ExceptionGroup) as caught:
            await measure("127.0.0.1", server.port, PATH, connections=1, duration_s=0.1, warmup_s=0)
    [error] = caught.value.exceptions
    assert isinstance(error, LoadError)
    assert message in str(error)


async def test_measure_needs_a_completed_request() -> None:
    async with running_server(bare_app()) as server:
        with pytest.raises(LoadError, match="no request completed"):
            await measure("127.0.0.1", server.port, PATH, connections=1, duration_s=0, warmup_s=0)


async def test_run_compares_both_apps_in_their_own_processes() -> None:
    report = await run(connections=2, duration_s=0.2, warmup_s=0.05, rounds=2)
    assert (report.connections, report.rounds, report.route) == (2, 2, "GET /ping")
    assert len(report.kit_rounds_rps) == len(report.bare_rounds_rps) == 2
    assert report.kit.requests_per_s in report.kit_rounds_rps
    assert report.overhead_ratio > 0
    assert report.p50_ratio > 0
    assert report.p99_ratio > 0


async def test_a_server_process_that_never_listens() -> None:
    with pytest.raises(RuntimeError, match="the kit server exited before listening"):
        async with server_process("kit", "false"):
            pytest.fail("listening")


def test_main_prints_the_report() -> None:
    out = io.StringIO()
    argv = ["--connections", "2", "--duration", "0.1", "--warmup", "0", "--rounds", "1"]
    assert main(argv, out) == 0
    report = Report.model_validate_json(out.getvalue())
    assert report.rounds == 1


class Announced(io.StringIO):
    """Where a server prints its port; signals once it did."""

    def __init__(self) -> None:
        super().__init__()
        self.written = threading.Event()

    def write(self, text: str) -> int:
        """Record, and note the announcement."""
        count = super().write(text)
        self.written.set()
        return count


def terminate_once_announced(announced: Announced) -> None:
    """SIGTERM this process once the server has announced its port."""
    try:
        announced.written.wait(TIMEOUT_S)
    finally:
        os.kill(os.getpid(), signal.SIGTERM)


def test_serve_mode_runs_until_sigterm() -> None:
    announced = Announced()
    helper = threading.Thread(target=terminate_once_announced, args=(announced,))
    helper.start()
    assert main(["--serve", "bare"], announced) == 0
    helper.join(TIMEOUT_S)
    assert Port.model_validate_json(announced.getvalue()).port > 0


def test_runs_as_a_module(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["http_benchmark", "--connections", "1", "--duration", "0.1", "--warmup", "0"]
    monkeypatch.setattr(sys, "argv", [*argv, "--rounds", "1"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("platform_core.http_benchmark", run_name="__main__")
    assert exited.value.code == 0
    assert Report.model_validate_json(capsys.readouterr().out).rounds == 1
