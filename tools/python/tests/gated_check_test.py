"""The gated-targets check: Bazel's query finds Python targets and files outside the gates.

A scratch workspace with stand-in macros (their generator_function names are what the
check looks for) holds gated targets, a raw `py_binary`, a `platform_binary` whose main no
gate checks, an allowlisted raw target, and a stale allowlist line.
"""

import pathlib

import pytest

import gated_check

BAZEL = "/usr/bin/bazel-4"
DEFS = """
def platform_library(name, srcs, tests = []):
    native.py_library(name = name, srcs = srcs)
    native.py_test(name = name + "_typecheck", srcs = srcs, main = srcs[0], data = srcs + tests)

def platform_binary(name, main, deps):
    native.py_binary(name = name, srcs = [main], main = main, deps = deps)
"""
GOOD = """load("//:defs.bzl", "platform_binary", "platform_library")
platform_library(name = "lib", srcs = ["lib.py"])
platform_binary(name = "bin", main = "lib.py", deps = [":lib"])
"""
BAD = """load("//:defs.bzl", "platform_binary")
py_binary(name = "raw", srcs = ["raw.py"], main = "raw.py")
platform_binary(name = "sneaky", main = "sneaky.py", deps = [])
py_binary(name = "listed", srcs = ["listed.py"], main = "listed.py")
"""
ALLOWLIST = """# why each is ungated
//bad:listed  an anchor's runner: third-party code
//good:lib  stale: it is gated
"""


def write(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    ws = tmp_path_factory.mktemp("gated") / "ws"
    write(ws / "WORKSPACE", 'workspace(name = "scratch")\n')
    write(ws / "BUILD.bazel", "")
    write(ws / "defs.bzl", DEFS)
    write(ws / "good" / "BUILD.bazel", GOOD)
    write(ws / "bad" / "BUILD.bazel", BAD)
    for name in ("good/lib.py", "bad/raw.py", "bad/sneaky.py", "bad/listed.py"):
        write(ws / name, "")
    write(ws / "ungated.txt", ALLOWLIST)
    return ws


def check(ws: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    status = gated_check.main(
        [
            f"--bazel={BAZEL}",
            "--bazel=--batch",
            f"--bazel=--output_user_root={ws.parent / 'bazel'}",
            f"--workspace={ws}",
            "--allowlist=ungated.txt",
        ]
    )
    return status, capsys.readouterr().out.splitlines()


def test_finds_every_ungated_target_and_file(
    workspace: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(workspace.parent / "home"))
    status, lines = check(workspace, capsys)
    assert status == 1
    assert lines == [
        "//bad:raw: a Python target outside the gated macros (tools/python/defs.bzl)",
        "//bad:raw.py: a Python file no target's gates check (put it in a platform_library)",
        "//bad:sneaky.py: a Python file no target's gates check (put it in a platform_library)",
        "//good:lib: listed in tools/python/ungated.txt but not an ungated target",
    ]


def test_passes_when_everything_is_gated_or_listed(
    workspace: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(workspace.parent / "home"))
    write(workspace / "bad" / "BUILD.bazel", BAD.split("\n", 1)[0] + "\n" + BAD.splitlines()[3])
    write(workspace / "ungated.txt", ALLOWLIST.splitlines()[1] + "\n")
    assert check(workspace, capsys) == (0, [])


def test_a_failing_query_is_an_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(RuntimeError, match="bazel query"):
        gated_check.query(["/bin/false"], tmp_path, "//...")
