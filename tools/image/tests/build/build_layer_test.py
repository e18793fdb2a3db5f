"""build_layer: runfiles and other entries become one sorted, root-owned layer with pycs."""

import importlib.util
import pathlib
import tarfile
from collections.abc import Callable

import pytest
from pydantic import TypeAdapter

from platform_image.build_layer import compile_pyc, main, pyc_path, runfile_dest
from platform_image.tarball import LayerDigest

DIGEST = TypeAdapter(LayerDigest)

Members = Callable[[pathlib.Path], dict[str, tarfile.TarInfo]]
Content = Callable[[pathlib.Path, str], bytes]


def _tree(root: pathlib.Path) -> dict[str, pathlib.Path]:
    files = {
        "app.py": b"print('app')\n",
        "tool": b"#!/bin/sh\n",
        "data.txt": b"data\n",
        "bad.py": b"def broken(:\n",
        "lib.py": b"X = 1\n",
    }
    paths = {}
    for name, data in files.items():
        path = root / name
        path.write_bytes(data)
        paths[name] = path
    paths["tool"].chmod(0o755)
    paths["data.txt"].chmod(0o600)
    return paths


def _args(tmp: pathlib.Path, *entries: str) -> list[str]:
    return [
        f"--out={tmp / 'layer.tar.gz'}",
        f"--descriptor={tmp / 'layer.json'}",
        f"--listing={tmp / 'layer.listing'}",
        "--runfiles-root=app/platform.runfiles",
        "--workspace=platform",
        *entries,
    ]


def test_entries_become_a_sorted_root_owned_layer(
    tmp_path: pathlib.Path,
    members: Members,
    content: Content,
    capsys: pytest.CaptureFixture[str],
) -> None:
    src = _tree(tmp_path)
    status = main(
        _args(
            tmp_path,
            "--pyc",
            f"--runfile=services/x/app.py\t{src['app.py']}",
            f"--runfile=../pypi/lib/site/lib.py\t{src['lib.py']}",
            f"--runfile=../pypi/lib/site/bad.py\t{src['bad.py']}",
            f"--file=/app/tool\t{src['tool']}",
            f"--file=/etc/data.txt\t{src['data.txt']}",
            "--symlink=app/bin/server\t/app/platform.runfiles/platform/services/x/app.py",
            "--dir=/data\t0750\t10001\t10002",
        )
    )
    assert status == 0
    entries = members(tmp_path / "layer.tar.gz")
    app = "app/platform.runfiles/platform/services/x/app.py"
    lib = "app/platform.runfiles/pypi/lib/site/lib.py"
    assert list(entries) == sorted(entries)
    assert entries[app].mode == 0o644
    assert entries["app/tool"].mode == 0o755
    assert entries["etc/data.txt"].mode == 0o644
    assert entries["app/platform.runfiles"].isdir()
    assert (entries["data"].mode, entries["data"].uid, entries["data"].gid) == (0o750, 10001, 10002)
    assert entries["app/bin/server"].linkname == f"/{app}"
    assert {m.uid for n, m in entries.items() if n != "data"} == {0}
    assert content(tmp_path / "layer.tar.gz", app) == b"print('app')\n"
    # pycs beside the sources, checked against the source's hash; none for bad.py.
    pyc = content(tmp_path / "layer.tar.gz", pyc_path(lib))
    assert pyc[:4] == importlib.util.MAGIC_NUMBER
    assert pyc[4:8] == (0b11).to_bytes(4, "little")
    assert pyc[8:16] == importlib.util.source_hash(b"X = 1\n")
    assert pyc_path("app/platform.runfiles/pypi/lib/site/bad.py") not in entries
    assert "bad.py: not compiled" in capsys.readouterr().err
    listing = (tmp_path / "layer.listing").read_text().split()
    assert app in listing
    assert "data" not in listing
    assert "app/bin/server" in listing
    descriptor = DIGEST.validate_json((tmp_path / "layer.json").read_text())
    assert descriptor.size == (tmp_path / "layer.tar.gz").stat().st_size


def test_the_order_of_entries_does_not_matter(tmp_path: pathlib.Path) -> None:
    src = _tree(tmp_path)
    entries = [
        f"--runfile=a/app.py\t{src['app.py']}",
        f"--runfile=a/lib.py\t{src['lib.py']}",
        f"--file=x/tool\t{src['tool']}",
        f"--file=x/data.txt\t{src['data.txt']}",
        "--symlink=l1\t/a",
        "--symlink=l2\t/b",
        "--dir=v1\t0755\t1\t1",
        "--dir=v2\t0755\t1\t1",
    ]
    digests: list[str] = []
    for name, flags in (("one", []), ("two", ["--shuffle"])):
        out = tmp_path / name
        out.mkdir()
        assert main(_args(out, "--pyc", *flags, *entries)) == 0
        digests.append(DIGEST.validate_json((out / "layer.json").read_text()).digest)
        assert (out / "layer.listing").read_text() == (
            tmp_path / "one" / "layer.listing"
        ).read_text()
    assert digests[0] == digests[1]


def test_listed_paths_are_left_out(tmp_path: pathlib.Path, members: Members) -> None:
    src = _tree(tmp_path)
    excluded = tmp_path / "shared.listing"
    excluded.write_text("app/platform.runfiles/pypi/lib/site/lib.py\n")
    status = main(
        _args(
            tmp_path,
            f"--exclude-listing={excluded}",
            f"--runfile=../pypi/lib/site/lib.py\t{src['lib.py']}",
            f"--runfile=../pypi/app/site/app.py\t{src['app.py']}",
        )
    )
    assert status == 0
    assert "app/platform.runfiles/pypi/lib/site/lib.py" not in members(tmp_path / "layer.tar.gz")
    assert "app/platform.runfiles/pypi/app/site/app.py" in members(tmp_path / "layer.tar.gz")


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (["--symlink=a\t/x", "--symlink=a\t/y"], "a: two different entries"),
        (["--symlink=a"], "expected 2 tab-separated fields"),
        (["--dir=a\t0755\t1"], "expected 4 tab-separated fields"),
        (["--dir=a\t0999\t1\t1"], "invalid literal"),
        (["--file=a\t/nonexistent/file"], "No such file"),
    ],
)
def test_inconsistent_entries_fail(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], entries: list[str], message: str
) -> None:
    assert main(_args(tmp_path, *entries)) == 1
    assert message in capsys.readouterr().err


def test_paths_in_the_image() -> None:
    assert runfile_dest("../pypi/x/site/a.py", "app/r", "ws") == "app/r/pypi/x/site/a.py"
    assert runfile_dest("services/x/a.py", "app/r", "ws") == "app/r/ws/services/x/a.py"
    assert pyc_path("a/b/c.py").startswith("a/b/__pycache__/c.cpython-")
    assert pyc_path("c.py").startswith("__pycache__/c.cpython-")
    with pytest.raises(SyntaxError):
        compile_pyc(b"def (:", "x.py")
