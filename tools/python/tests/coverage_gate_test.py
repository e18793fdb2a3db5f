"""The test gate fails a target whose tests miss a branch, and passes full coverage."""

import os
import pathlib
import subprocess
import sys

import pytest

import pytest_runner

RUNNER = pathlib.Path(pytest_runner.__file__)


def run_gate(
    fixtures: pathlib.Path, test: str, tmp: pathlib.Path
) -> subprocess.CompletedProcess[str]:
    lib = fixtures / "coverage" / "lib"
    env = dict(os.environ)
    env["PYTHONPATH"] = f"{lib}{os.pathsep}{env.get('PYTHONPATH', '')}"
    env.pop("COVERAGE_DIR", None)
    env.pop("XML_OUTPUT_FILE", None)
    return subprocess.run(
        [
            sys.executable,
            str(RUNNER),
            f"--src={lib / 'half.py'}",
            f"--test={fixtures / 'coverage' / test}",
            f"--tmp={tmp}",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_missed_branch_fails(fixtures: pathlib.Path, tmp_path: pathlib.Path) -> None:
    result = run_gate(fixtures, "half_test.py", tmp_path)
    assert result.returncode != 0
    assert "half.py" in result.stdout
    assert (
        "FAIL Required test coverage of 100% not reached. Total coverage: 66.67%" in result.stdout
    )


def test_full_coverage_passes(fixtures: pathlib.Path, tmp_path: pathlib.Path) -> None:
    result = run_gate(fixtures, "full_test.py", tmp_path)
    assert result.returncode == 0, result.stdout
    assert "Required test coverage of 100% reached" in result.stdout


def test_arguments_are_required(capsys: pytest.CaptureFixture[str]) -> None:
    assert pytest_runner.main(["--src=a.py"]) == 2
    assert "at least one --src and one --test" in capsys.readouterr().err


def test_main_passes_the_built_command_line(tmp_path: pathlib.Path) -> None:
    seen: list[list[str]] = []

    def record(args: list[str]) -> int:
        seen.append(args)
        return 7

    status = pytest_runner.main(
        ["--src=lib/a.py", "--test=t/a_test.py", f"--tmp={tmp_path}"], record
    )
    assert status == 7
    assert seen == [pytest_runner.build_args(["lib/a.py"], ["t/a_test.py"], tmp_path)]


def test_command_line_loads_plugins_and_reports(tmp_path: pathlib.Path) -> None:
    env = {"COVERAGE_DIR": str(tmp_path / "cov"), "XML_OUTPUT_FILE": str(tmp_path / "x.xml")}
    args = pytest_runner.build_args(["lib/a.py"], ["t/a_test.py"], tmp_path, env)
    assert args[:4] == ["-p", "pytest_asyncio.plugin", "-p", "pytest_cov.plugin"]
    assert "--cov-branch" in args
    assert "--cov-fail-under=100" in args
    assert f"--cov={pathlib.Path('lib').resolve()}" in args
    assert f"--cov-report=lcov:{tmp_path / 'cov'}/pylcov.dat" in args
    assert f"--junitxml={tmp_path / 'x.xml'}" in args
    assert args[-1] == "t/a_test.py"
    rc = (tmp_path / "coveragerc").read_text(encoding="utf-8")
    assert f"include =\n    {pathlib.Path('lib/a.py').resolve()}" in rc
    assert "branch = True" in rc


def test_command_line_without_bazel_outputs(tmp_path: pathlib.Path) -> None:
    args = pytest_runner.build_args(["lib/a.py"], ["t/a_test.py"], tmp_path, {})
    assert not [a for a in args if a.startswith(("--junitxml", "--cov-report=lcov"))]
