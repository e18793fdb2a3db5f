"""The lint gate rejects suppressions, inline mypy settings, banned APIs, owned imports
outside their owner, and values of unknown type outside the adapter; it accepts clean code.

Paths are given relative to the fixtures' root (the gate's working directory stands for
the repository root), as Bazel gives them relative to the repository root.
"""

import pathlib

import pytest

import lint_runner


@pytest.fixture()
def root(fixtures: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    """The lint fixtures' directory, as the working directory (the repository root)."""
    monkeypatch.chdir(fixtures / "lint")
    return fixtures / "lint"


def lint(path: pathlib.Path, capfd: pytest.CaptureFixture[str], *adapters: str) -> tuple[int, str]:
    args = ["--file", str(path)] + [f"--adapter={a}" for a in adapters]
    status = lint_runner.main(args)
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


def test_rejects_threads_outside_platform_core_blocking(
    fixtures: pathlib.Path, capfd: pytest.CaptureFixture[str]
) -> None:
    status, out = lint(fixtures / "lint" / "threads.py", capfd)
    assert status == 1
    because = "is banned: blocking calls go through platform_core.blocking (run_blocking, run_in)"
    assert out.count(f"TID251 `asyncio.to_thread` {because}") == 2
    assert out.count(f"TID251 `anyio.to_thread` {because}") == 3


def test_rejects_redis_in_a_service(root: pathlib.Path, capfd: pytest.CaptureFixture[str]) -> None:
    path = pathlib.Path("services/bad_service/bad_service/uses_redis.py")
    status, out = lint(path, capfd)
    assert status == 1
    assert "uses_redis.py:5: import of 'redis.asyncio' outside" in out
    assert "uses_redis.py:8: import of 'redis' outside" in out


def test_ownership_is_by_path_prefix_not_substring(
    root: pathlib.Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = pathlib.Path(
        "services/bad_service/libs/platform_workers/platform_workers/async_redis/sneaky.py"
    )
    status, out = lint(path, capfd)
    assert status == 1
    assert "sneaky.py:3: import of 'redis.asyncio' outside" in out


def test_accepts_redis_in_its_owner(root: pathlib.Path, capfd: pytest.CaptureFixture[str]) -> None:
    path = pathlib.Path("libs/platform_workers/platform_workers/async_redis/owner.py")
    status, out = lint(path, capfd)
    assert status == 0, out


def test_rejects_httpx_in_a_service(root: pathlib.Path, capfd: pytest.CaptureFixture[str]) -> None:
    status, out = lint(pathlib.Path("services/bad_service/bad_service/uses_httpx.py"), capfd)
    assert status == 1
    assert (
        "uses_httpx.py:3: import of 'httpx' outside libs/platform_core/platform_core/"
        "data_bank_client/, libs/platform_core/platform_core/http_client/, "
        "libs/platform_core/platform_core/http_fetch/, "
        "libs/platform_core/platform_core/http_testing/, libs/platform_core/tests/: use the lib "
        "that owns httpx (platform_core.http_testing"
    ) in out


def test_accepts_httpx_in_the_kits_test_helpers(
    root: pathlib.Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = pathlib.Path("libs/platform_core/platform_core/http_testing/owner.py")
    status, out = lint(path, capfd)
    assert status == 0, out


def test_rejects_inline_mypy_settings(
    root: pathlib.Path, capfd: pytest.CaptureFixture[str]
) -> None:
    status, out = lint(pathlib.Path("mypy_inline.py"), capfd)
    assert status == 1
    assert "mypy_inline.py:1: inline mypy configuration" in out


def test_rejects_a_value_of_unknown_type_outside_the_adapter(
    root: pathlib.Path, capfd: pytest.CaptureFixture[str]
) -> None:
    status, out = lint(pathlib.Path("unknown_value.py"), capfd)
    assert status == 1
    assert "unknown_value.py:5: 'json.loads(...)' has no static type" in out


def test_rejects_an_adapter_that_annotates_instead_of_checking(
    root: pathlib.Path, capfd: pytest.CaptureFixture[str]
) -> None:
    status, out = lint(pathlib.Path("adapter/escape.py"), capfd, "adapter/escape.py")
    assert status == 1
    assert "escape.py:14: a value of unknown type ('json.loads') assigned to an annotated" in out
    assert "escape.py:16: a value of unknown type ('_module') assigned to an annotated" in out
    assert "escape.py:15" not in out


def test_accepts_an_adapter_that_checks(
    root: pathlib.Path, capfd: pytest.CaptureFixture[str]
) -> None:
    status, out = lint(pathlib.Path("adapter/checked.py"), capfd, "adapter/checked.py")
    assert status == 0, out
    status, out = lint(pathlib.Path("adapter/checked.py"), capfd)
    assert status == 1
    assert "checked.py:8: 'json.loads(...)' has no static type" in out


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


def test_guard_sees_inline_mypy_settings_only_at_a_line_start() -> None:
    source = 'x = 1  # mypy: not at the start\nDOC = """\n# mypy: strict=False\n"""\n'
    assert [v.split(": ")[0] for v in lint_runner.comment_violations("f.py", source)] == ["f.py:3"]


def test_guard_names_only_plain_calls() -> None:
    source = "import json\nfactories = [json.loads]\nVALUE = factories[0]('1')\n"
    assert list(lint_runner.unknown_value_violations("a.py", source, adapter=False)) == []
