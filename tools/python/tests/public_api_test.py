"""The public-API rule: a lib package's `__all__` is exactly what it defines."""

import os
import pathlib
import subprocess
import sys

import pytest

import public_api
import pytest_runner

LIB = "libs/fixture_lib/fixture_lib"


@pytest.fixture()
def fixture_lib(fixtures: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    root = fixtures / "public_api" / "libs" / "fixture_lib"
    monkeypatch.syspath_prepend(str(root))
    return root


def test_accepts_an_exact_all(fixture_lib: pathlib.Path) -> None:
    assert public_api.check([f"{LIB}/good/__init__.py"]) == []


def test_rejects_a_package_without_all(fixture_lib: pathlib.Path) -> None:
    assert public_api.check([f"{LIB}/bare/__init__.py"]) == [
        "fixture_lib.bare: no __all__ (a list of the names the package exports)"
    ]


def test_rejects_unlisted_and_missing_names(fixture_lib: pathlib.Path) -> None:
    assert public_api.check([f"{LIB}/leaky/__init__.py"]) == [
        "fixture_lib.leaky.__all__ names 'gone', which the package does not define",
        "fixture_lib.leaky.FORGOTTEN_LIMIT is public but not in __all__ (export it, or name it "
        "_FORGOTTEN_LIMIT)",
        "fixture_lib.leaky.forgotten is public but not in __all__ (export it, or name it "
        "_forgotten)",
    ]


def test_rejects_a_name_listed_twice(fixture_lib: pathlib.Path) -> None:
    assert public_api.check([f"{LIB}/twice/__init__.py"]) == [
        "fixture_lib.twice.__all__ names something twice"
    ]


@pytest.mark.parametrize(
    "path",
    [
        "services/x/x/__init__.py",
        "libs/fixture_lib/fixture_lib/good/module.py",
        "libs/__init__.py",
    ],
)
def test_only_lib_packages_are_checked(path: str) -> None:
    assert public_api.package_of(path) is None
    assert public_api.check([path]) == []


def test_an_all_that_is_not_a_list_of_names_is_no_all(fixture_lib: pathlib.Path) -> None:
    assert public_api.check([f"{LIB}/odd/__init__.py"]) == [
        "fixture_lib.odd: no __all__ (a list of the names the package exports)"
    ]


def test_the_test_gate_fails_on_a_bad_package(
    fixtures: pathlib.Path, fixture_lib: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = f"{fixture_lib}{os.pathsep}{env.get('PYTHONPATH', '')}"
    env.pop("COVERAGE_DIR", None)
    env.pop("XML_OUTPUT_FILE", None)
    lib = fixtures / "coverage" / "lib"
    env["PYTHONPATH"] = f"{lib}{os.pathsep}{env['PYTHONPATH']}"
    result = subprocess.run(
        [
            sys.executable,
            pytest_runner.__file__,
            f"--src={lib / 'half.py'}",
            f"--src={LIB}/bare/__init__.py",
            f"--test={fixtures / 'coverage' / 'full_test.py'}",
            f"--tmp={tmp_path}",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=fixture_lib.parent.parent,
    )
    assert result.returncode == 1, result.stdout
    assert "public API: fixture_lib.bare: no __all__" in result.stdout


def test_the_runner_reports_the_problems(
    fixture_lib: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = pytest_runner.main(
        [f"--src={LIB}/leaky/__init__.py", "--test=t.py"], run=lambda args: 0
    )
    assert status == 1
    assert "public API: fixture_lib.leaky.__all__ names 'gone'" in capsys.readouterr().out
