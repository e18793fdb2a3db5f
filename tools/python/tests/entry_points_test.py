"""Each gate runner works as a script (Bazel runs it as the test's main)."""

import runpy
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import gated_check
import lint_runner
import mypy_runner
import pypi_generate
import pytest_runner


@contextmanager
def argv(*args: str) -> Iterator[None]:
    saved = sys.argv
    sys.argv = ["script", *args]
    try:
        yield
    finally:
        sys.argv = saved


@pytest.mark.parametrize(
    "module", [gated_check, lint_runner, mypy_runner, pytest_runner, pypi_generate]
)
def test_script_without_arguments_exits_2(module: types.ModuleType) -> None:
    assert module.__file__ is not None
    with argv(), pytest.raises(SystemExit) as exit_info:
        runpy.run_path(module.__file__, run_name="__main__")
    assert exit_info.value.code == 2


def test_pytest_entry_point_runs_pytest(capsys: pytest.CaptureFixture[str]) -> None:
    assert pytest_runner.run_pytest(["--version"]) == 0
    assert "pytest" in capsys.readouterr().out
