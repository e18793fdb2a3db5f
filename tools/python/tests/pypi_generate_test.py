"""The pip repository generator: one py_library per distribution, deps, visibility, scripts."""

import pathlib

import pytest

import pypi_generate


def fake_dist(staging: pathlib.Path, name: str, requires: list[str], files: dict[str, str]) -> None:
    info = staging / f"{pypi_generate.normalize(name)}-1.0.dist-info"
    info.mkdir(parents=True)
    meta = [f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"]
    meta += [f"Requires-Dist: {r}\n" for r in requires]
    (info / "METADATA").write_text("".join(meta), encoding="utf-8")
    records = [f"{info.name}/METADATA,,"]
    for record_path, content in files.items():
        parts = pathlib.PurePosixPath(record_path).parts
        target = staging / "bin" / parts[-1] if ".." in parts else staging / record_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        records.append(f"{record_path},,")
    records.append("../../../etc/outside,,")
    (info / "RECORD").write_text("\n".join(records) + "\n", encoding="utf-8")


def make_staging(tmp_path: pathlib.Path) -> pathlib.Path:
    staging = tmp_path / "staging"
    fake_dist(
        staging,
        "Demo.Pkg",
        ["dep-one>=1", 'dep-two; extra == "fast"', 'gone; python_version < "3.0"', "unlisted"],
        {"demo_pkg/__init__.py": "X = 1\n", "../../bin/demo": "#!/bin/sh\n"},
    )
    fake_dist(staging, "dep_one", [], {"dep_one.py": ""})
    fake_dist(staging, "Dep-Two", [], {"dep_two.py": ""})
    return staging


def test_generates_one_library_per_distribution(tmp_path: pathlib.Path) -> None:
    staging = make_staging(tmp_path)
    out = tmp_path / "repo"
    status = pypi_generate.main(
        [
            f"--staging={staging}",
            f"--out={out}",
            "--repo=pypi",
            "--restricted=Dep-One=@platform//tools/visibility:libs",
        ]
    )
    assert status == 0
    build = (out / "demo_pkg" / "BUILD.bazel").read_text(encoding="utf-8")
    assert 'name = "demo_pkg"' in build
    assert 'deps = ["//dep_one"],' in build
    assert '"pypi_name=Demo.Pkg", "pypi_version=1.0"' in build
    assert 'visibility = ["//visibility:public"]' in build
    restricted = (out / "dep_one" / "BUILD.bazel").read_text(encoding="utf-8")
    assert 'visibility = ["@platform//tools/visibility:libs", "//:__subpackages__"]' in restricted
    assert (out / "demo_pkg" / "site" / "demo_pkg" / "__init__.py").read_text() == "X = 1\n"
    script = out / "demo_pkg" / "bin" / "demo"
    assert script.stat().st_mode & 0o111
    bzl = (out / "requirements.bzl").read_text(encoding="utf-8")
    assert '"dep_two": "@pypi//dep_two",' in bzl
    assert "def requirement(name):" in bzl
    assert (out / "WORKSPACE").read_text(encoding="utf-8") == 'workspace(name = "pypi")\n'


def test_unknown_restricted_distribution_fails(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staging = make_staging(tmp_path)
    status = pypi_generate.main(
        [f"--staging={staging}", f"--out={tmp_path / 'repo'}", "--repo=pypi", "--restricted=nope=x"]
    )
    assert status == 1
    assert "restricted distributions not in the lock: ['nope']" in capsys.readouterr().err


def test_normalize_matches_label_spelling() -> None:
    assert pypi_generate.normalize("Pytest.Asyncio--x") == "pytest_asyncio_x"
