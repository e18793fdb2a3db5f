"""The lint gate rejects suppressions, banned APIs and raw Redis imports, and accepts clean code."""

import pathlib

import pytest

import lint_runner


def lint(path: pathlib.Path, capfd: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = lint_runner.main(["--file", str(path)])
    captured = capfd.readouterr()
    return status, captured.out + captured.err


def test_rejects_a_suppression_marker(
    fixtures: pathlib.Path, capfd: pytest.CaptureFixture[str]
) -> None:
    status, out = lint(fixtures / "lint" / "silenced.py", capfd)
    assert status == 1
    assert "silenced.py:3: forbidden marker 'noqa'" in out


def test_rejects_a_blocking_sleep(
    fixtures: pathlib.Path, capfd: pytest.CaptureFixture[str]
) -> None:
    status, out = lint(fixtures / "lint" / "sleeps.py", capfd)
    assert status == 1
    assert "TID251 `time.sleep` is banned: blocks the event loop: use asyncio.sleep" in out


def test_rejects_redis_in_a_service(
    fixtures: pathlib.Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = fixtures / "lint" / "services" / "bad_service" / "bad_service" / "uses_redis.py"
    status, out = lint(path, capfd)
    assert status == 1
    assert "uses_redis.py:5: import of 'redis.asyncio' outside" in out
    assert "uses_redis.py:8: import of 'redis' outside" in out


def test_accepts_redis_in_its_owner(
    fixtures: pathlib.Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = fixtures / "lint" / "libs" / "platform_workers" / "platform_workers"
    status, out = lint(path / "async_redis" / "owner.py", capfd)
    assert status == 0, out


def test_accepts_clean_code(fixtures: pathlib.Path, capfd: pytest.CaptureFixture[str]) -> None:
    status, out = lint(fixtures / "lint" / "clean.py", capfd)
    assert status == 0, out


def test_nothing_to_lint_is_an_error(capfd: pytest.CaptureFixture[str]) -> None:
    assert lint_runner.main([]) == 2
    assert "nothing to lint" in capfd.readouterr().err


def test_guard_reads_only_comments() -> None:
    source = 'TEXT = "noqa in a string is fine"  # a plain comment\nx = 1  # type: ignore[misc]\n'
    assert list(lint_runner.comment_violations("f.py", source)) == [
        "f.py:2: forbidden marker 'type: ignore': fix the code instead of silencing the gate"
    ]


def test_guard_sees_dynamic_imports() -> None:
    source = "import importlib\n__import__('redis')\nimportlib.import_module('os')\nname = 'x'\n"
    assert [v.split(": ")[0] for v in lint_runner.import_violations("s/a.py", source)] == [
        "s/a.py:2"
    ]
