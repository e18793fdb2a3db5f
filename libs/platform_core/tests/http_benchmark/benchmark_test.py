"""The benchmark's parts, run briefly (no figure is asserted: benchmarks are not tests)."""

import asyncio
import io
import os
import runpy
import signal
import socket
import sys
import threading

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from platform_core.http import Listening
from platform_core.http_benchmark.apps import PATH, PING_BODY, bare_app, kit_app
from platform_core.http_benchmark.main import Report, main, measure, run
from platform_core.http_benchmark.server import HOST, run_server
from platform_core.http_testing import app_client, running_server
from platform_core.loadgen import LoadError, free_port

TIMEOUT_S = 30.0


async def test_both_apps_answer_the_same_body() -> None:
    for app in (kit_app(), bare_app()):
        async with app_client(app) as client:
            response = await client.get(PATH)
        assert (response.status_code, response.content) == (200, PING_BODY)
        assert response.headers["content-type"] == "application/json"


async def test_run_server_serves_on_the_port_until_shutdown() -> None:
    port = free_port()
    shutdown = asyncio.Event()
    listening: asyncio.Future[Listening] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_server("kit", port, shutdown=shutdown, on_listening=listening.set_result)
    )
    async with asyncio.timeout(TIMEOUT_S):
        assert (await listening).port == port
    figures = await measure(port, connections=2, duration_s=0.2, warmup_s=0.05)
    shutdown.set()
    await task
    assert 0 < figures.requests <= figures.total_requests
    assert 0 < figures.latency.p50_ms <= figures.latency.p99_ms


def plain_app(status: int, body: bytes) -> Starlette:
    """An app answering every GET with `status` and `body`."""

    async def answer(_: Request) -> Response:
        return Response(body, status)

    return Starlette(routes=[Route(PATH, answer)])


@pytest.mark.parametrize(("status", "body"), [(404, PING_BODY), (200, b"")])
async def test_measure_refuses_wrong_answers(status: int, body: bytes) -> None:
    async with running_server(plain_app(status, body)) as server:
        with pytest.raises(LoadError, match="answers were not the ping"):
            await measure(server.port, connections=1, duration_s=0.1, warmup_s=0)


async def test_run_compares_both_apps_in_their_own_processes() -> None:
    report = await run(connections=2, duration_s=0.2, warmup_s=0.05, rounds=2)
    assert (report.connections, report.rounds, report.route) == (2, 2, "GET /ping")
    assert len(report.kit_rounds_rps) == len(report.bare_rounds_rps) == 2
    assert report.kit.requests_per_s in report.kit_rounds_rps
    assert report.kit.duration_s == 0.2
    assert report.kit.server_cpu_us_per_request > 0
    assert report.overhead_ratio > 0
    assert report.p50_ratio > 0
    assert report.p99_ratio > 0


def test_main_prints_the_report() -> None:
    out = io.StringIO()
    argv = ["--connections", "2", "--duration", "0.1", "--warmup", "0", "--rounds", "1"]
    assert main(argv, out) == 0
    report = Report.model_validate_json(out.getvalue())
    assert report.rounds == 1


def terminate_once_accepting(port: int, given_up: threading.Event) -> None:
    """SIGTERM this process once `port` accepts connections."""
    while not given_up.wait(0.02):
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                break
    os.kill(os.getpid(), signal.SIGTERM)


def test_serve_mode_runs_until_sigterm() -> None:
    port = free_port()
    given_up = threading.Event()
    helper = threading.Thread(target=terminate_once_accepting, args=(port, given_up))
    timer = threading.Timer(TIMEOUT_S, given_up.set)
    helper.start()
    timer.start()
    try:
        assert main(["--serve", "bare", "--port", str(port)]) == 0
    finally:
        timer.cancel()
        given_up.set()
        helper.join(TIMEOUT_S)
    with socket.socket() as sock:
        assert sock.connect_ex((HOST, port)) != 0  # stopped: nothing listens


def test_runs_as_a_module(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["http_benchmark", "--connections", "1", "--duration", "0.1", "--warmup", "0"]
    monkeypatch.setattr(sys, "argv", [*argv, "--rounds", "1"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("platform_core.http_benchmark", run_name="__main__")
    assert exited.value.code == 0
    assert Report.model_validate_json(capsys.readouterr().out).rounds == 1
