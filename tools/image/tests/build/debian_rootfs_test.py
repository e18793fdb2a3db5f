"""debian_rootfs: the base becomes a layer; an extra layer holds only what the packages add."""

import io
import pathlib
import tarfile
from collections.abc import Callable

import pytest
from pydantic import TypeAdapter

from platform_image.debian_rootfs import installed_packages, main
from platform_image.tarball import LayerDigest

DIGEST = TypeAdapter(LayerDigest)

Members = Callable[[pathlib.Path], dict[str, tarfile.TarInfo]]
Content = Callable[[pathlib.Path, str], bytes]

STATUS = """Package: dpkg
Status: install ok installed
Version: 1.21.22
Description: package manager
 more text: with a colon

Package: gone
Status: deinstall ok config-files
Version: 1.0
"""


def _rootfs(
    path: pathlib.Path, files: dict[str, bytes], links: dict[str, str] | None = None
) -> None:
    """An mmdebstrap-like tarball: ./-prefixed names, /dev nodes, directories first."""
    with tarfile.open(path, "w") as tar:
        for name in [
            "./",
            "./dev/",
            "./etc/",
            "./usr/",
            "./usr/bin/",
            "./var/",
            "./var/lib/",
            "./var/lib/dpkg/",
        ]:
            info = tarfile.TarInfo(name)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        node = tarfile.TarInfo("./dev/null")
        node.type, node.devmajor, node.devminor = tarfile.CHRTYPE, 1, 3
        tar.addfile(node)
        for name, data in files.items():
            info = tarfile.TarInfo(f"./{name}")
            info.size, info.uname = len(data), "root"
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(f"./{name}")
            info.type, info.linkname = tarfile.LNKTYPE, f"./{target}"
            tar.addfile(info)


def _args(
    tmp: pathlib.Path, name: str, rootfs: pathlib.Path, base: pathlib.Path | None = None
) -> list[str]:
    args = [
        f"--rootfs={rootfs}",
        f"--out={tmp / name}.tar.gz",
        f"--descriptor={tmp / name}.json",
        f"--packages={tmp / name}.packages",
    ]
    return args + ([f"--base={base}"] if base else [])


BASE = {"usr/bin/perl": b"perl", "etc/passwd": b"root\n", "var/lib/dpkg/status": STATUS.encode()}


def test_the_base_becomes_a_layer_without_dev(tmp_path: pathlib.Path, members: Members) -> None:
    base = tmp_path / "base.tar"
    _rootfs(base, BASE, links={"usr/bin/perl5": "usr/bin/perl"})
    assert main(_args(tmp_path, "base", base)) == 0
    entries = members(tmp_path / "base.tar.gz")
    assert "dev" in entries
    assert "dev/null" not in entries
    assert entries["usr/bin/perl5"].linkname == "usr/bin/perl"
    assert {m.uname for m in entries.values()} == {""}
    assert (tmp_path / "base.packages").read_text() == "dpkg 1.21.22\n"
    assert DIGEST.validate_json((tmp_path / "base.json").read_text()).digest.startswith("sha256:")


def test_an_extra_layer_holds_what_the_packages_changed(
    tmp_path: pathlib.Path, members: Members, content: Content
) -> None:
    base, full = tmp_path / "base.tar", tmp_path / "full.tar"
    _rootfs(base, BASE, links={"usr/bin/perl5": "usr/bin/perl"})
    more = STATUS + "\nPackage: ffmpeg\nStatus: install ok installed\nVersion: 7:5.1\n"
    _rootfs(
        full,
        {
            **BASE,
            "etc/passwd": b"root\napp\n",
            "usr/bin/ffmpeg": b"ff",
            "var/lib/dpkg/status": more.encode(),
        },
        links={"usr/bin/perl5": "usr/bin/perl", "usr/bin/ffprobe": "usr/bin/perl"},
    )
    assert main(_args(tmp_path, "extra", full, base)) == 0
    entries = members(tmp_path / "extra.tar.gz")
    # New and changed files, their directories, and the target of a new hard link.
    assert sorted(entries) == [
        "etc",
        "etc/passwd",
        "usr",
        "usr/bin",
        "usr/bin/ffmpeg",
        "usr/bin/ffprobe",
        "usr/bin/perl",
        "var",
        "var/lib",
        "var/lib/dpkg",
        "var/lib/dpkg/status",
    ]
    assert content(tmp_path / "extra.tar.gz", "etc/passwd") == b"root\napp\n"
    assert (tmp_path / "extra.packages").read_text() == "ffmpeg 7:5.1\n"


def test_a_rootfs_that_lost_base_files_is_refused(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, full = tmp_path / "base.tar", tmp_path / "full.tar"
    _rootfs(base, BASE)
    _rootfs(full, {"var/lib/dpkg/status": STATUS.encode()})
    assert main(_args(tmp_path, "extra", full, base)) == 1
    assert "lacks 2 entries of the base: ['etc/passwd', 'usr/bin/perl']" in capsys.readouterr().err


def test_a_rootfs_without_dpkg_status_is_refused(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "base.tar"
    _rootfs(base, {"etc/passwd": b"root\n"})
    assert main(_args(tmp_path, "base", base)) == 1
    assert "has no var/lib/dpkg/status" in capsys.readouterr().err


def test_installed_packages_reads_only_installed_ones() -> None:
    assert installed_packages(
        STATUS + "\nPackage: a\nStatus: install ok installed\nVersion: 2\n"
    ) == [
        "a 2",
        "dpkg 1.21.22",
    ]
