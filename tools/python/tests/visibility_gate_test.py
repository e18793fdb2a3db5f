"""The visibility gate: Bazel refuses a service that reaches past the public lib targets.

A scratch workspace uses the real package groups (tools/visibility/BUILD.bazel)
and a pip repository made by the real generator (tools/python/pypi_generate.py),
then asks Bazel 4.2.3 to analyse good and bad targets.
"""

import os
import pathlib
import subprocess

import pytest

import pypi_generate

BAZEL = "/usr/bin/bazel-4"
LIBS = """py_library(name = "public", srcs = [], visibility = ["//tools/visibility:services"])
py_library(name = "private", srcs = [], visibility = ["//tools/visibility:libs"])
py_library(name = "redis_owner", srcs = [], deps = ["@pypi//redis"])
"""
SERVICES = {
    "good": '["//libs/lib:public", "@pypi//pydantic"]',
    "private_lib": '["//libs/lib:private"]',
    "other_service": '["//services/good"]',
    "raw_redis": '["@pypi//redis"]',
}


def write(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("scratch")
    ws = root / "ws"
    write(
        ws / "WORKSPACE",
        'workspace(name = "platform")\nlocal_repository(name = "pypi", path = "../pypi")\n',
    )
    groups = pathlib.Path("tools/visibility/BUILD.bazel").read_text(encoding="utf-8")
    write(ws / "tools" / "visibility" / "BUILD.bazel", groups)
    write(ws / "libs" / "lib" / "BUILD.bazel", LIBS)
    for name, deps in SERVICES.items():
        write(
            ws / "services" / name / "BUILD.bazel", f'py_library(name = "{name}", deps = {deps})\n'
        )
    staging = root / "staging"
    for dist in ("redis", "pydantic"):
        info = staging / f"{dist}-1.0.dist-info"
        write(info / "METADATA", f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        write(info / "RECORD", f"{dist}/__init__.py,,\n")
        write(staging / dist / "__init__.py", "")
    pypi_generate.generate(
        staging, root / "pypi", "pypi", {"redis": "@platform//tools/visibility:libs"}
    )
    return ws


def analyse(ws: pathlib.Path, *targets: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(ws.parent / "home")}
    return subprocess.run(
        [
            BAZEL,
            "--batch",
            f"--output_user_root={ws.parent / 'bazel'}",
            "build",
            "--nobuild",
            "--keep_going",
            *targets,
        ],
        cwd=ws,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_allowed_edges_analyse(workspace: pathlib.Path) -> None:
    result = analyse(workspace, "//services/good", "//libs/lib:redis_owner")
    assert result.returncode == 0, result.stderr


def test_forbidden_edges_fail_with_bazels_message(workspace: pathlib.Path) -> None:
    result = analyse(
        workspace, "//services/private_lib", "//services/other_service", "//services/raw_redis"
    )
    assert result.returncode != 0
    err = result.stderr
    assert (
        "target '//libs/lib:private' is not visible from target "
        "'//services/private_lib:private_lib'" in err
    )
    assert (
        "target '//services/good:good' is not visible from target "
        "'//services/other_service:other_service'" in err
    )
    assert (
        "target '@pypi//redis:redis' is not visible from target '//services/raw_redis:raw_redis'"
        in err
    )
