"""The benchmark binary: a real server child process, JSON on stdout."""

import io
import pathlib
import runpy
import sys

import pytest

import qr_bench.main
from platform_core.loadgen import ServerStartError
from qr_bench.load import BenchResult
from qr_bench.main import main


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


def test_a_server_that_cannot_start_is_reported() -> None:
    with pytest.raises(ServerStartError, match=r"(?s)exited with 2 .*QR_RENDER_WORKERS"):
        main(["--workers", "0", "--duration", "0.1"], out=io.StringIO())


def test_help_as_a_script(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["benchmark", "--help"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(pathlib.Path(qr_bench.main.__file__)), run_name="__main__")
    assert exited.value.code == 0
    assert "--connections" in capsys.readouterr().out
