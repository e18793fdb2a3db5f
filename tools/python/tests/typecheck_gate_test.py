"""The typecheck gate rejects an Any and accepts strictly typed code."""

import pathlib

import pytest

import mypy_runner


def test_rejects_explicit_any(
    fixtures: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = mypy_runner.main(
        ["--file", str(fixtures / "typecheck" / "any_leak.py"), "--tmp", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert status == 1
    assert 'any_leak.py:6: error: Explicit "Any" is not allowed  [explicit-any]' in out


def test_accepts_clean_code(
    fixtures: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = mypy_runner.main(
        ["--file", str(fixtures / "typecheck" / "clean.py"), "--tmp", str(tmp_path)]
    )
    assert status == 0
    assert "Success: no issues found in 1 source file" in capsys.readouterr().out


def test_nothing_to_check_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert mypy_runner.main([]) == 2
    assert "nothing to check" in capsys.readouterr().err


def test_first_party_roots_are_the_workspace_entries(tmp_path: pathlib.Path) -> None:
    workspace = tmp_path / "platform"
    inside = workspace / "libs" / "platform_core"
    outside = tmp_path / "pypi" / "redis" / "site"
    path = f"{inside}::{outside}:{workspace}"
    assert mypy_runner.first_party_roots(path, workspace) == [str(inside), str(workspace)]
