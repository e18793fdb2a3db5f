"""The benchmark binary: a real server child process, JSON on stdout."""

import io
import pathlib
import runpy
import sys

import pytest

import qr_bench.main
from qr_bench.load import BenchResult
from qr_bench.main import main
from qr_bench.server_process import ServerProcess, ServerStartError


def test_prints_the_figures_as_json() -> None:
    out = io.StringIO()
    argv = ["--connections", "2", "--duration", "0.5", "--workers", "1", "--idle-probes", "5"]
    assert main(argv, out=out) == 0
    figures = BenchResult.model_validate_json(out.getvalue())
    assert (figures.connections, figures.kind, figures.errors) == (2, "png", 0)
    assert figures.requests > 0
    assert figures.healthz_idle.count == 5


def test_default_workers_and_svg() -> None:
    out = io.StringIO()
    argv = ["--connections", "1", "--duration", "0.3", "--kind", "svg", "--idle-probes", "2"]
    assert main(argv, out=out) == 0
    assert BenchResult.model_validate_json(out.getvalue()).kind == "svg"


def test_help_as_a_script(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["benchmark", "--help"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(pathlib.Path(qr_bench.main.__file__)), run_name="__main__")
    assert exited.value.code == 0
    assert "--connections" in capsys.readouterr().out


async def test_a_server_that_exits_is_reported() -> None:
    with ServerProcess({"QR_DEFAULT_BORDER": "0"}) as server:
        with pytest.raises(ServerStartError, match="exited with 2"):
            await server.wait_ready(60)
        assert server.stop() == 2


async def test_a_server_that_is_not_ready_in_time() -> None:
    with ServerProcess({}) as server:
        with pytest.raises(ServerStartError, match=r"not ready within 0\.0 s"):
            await server.wait_ready(0.0)
        await server.wait_ready(60)
    returncode: int | None = server.process.returncode
    assert returncode == 0


def test_the_process_exists_only_once_started() -> None:
    server = ServerProcess({})
    with pytest.raises(ServerStartError, match="not started"):
        server.stop()
