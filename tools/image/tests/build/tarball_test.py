"""Layer blobs are deterministic tar.gz streams, and their digests are what they hash to."""

import gzip
import hashlib
import io
import pathlib
import tarfile
from collections.abc import Callable

import pytest
from pydantic import JsonValue, TypeAdapter

from platform_image.tarball import LayerWriter, directory, normalized, regular, symlink


def _write(path: pathlib.Path, owner: int = 0) -> None:
    with path.open("wb") as out, LayerWriter(out) as writer:
        writer.add(directory("app", uid=owner, gid=owner))
        writer.add(regular("app/x.txt", 5, mode=0o600), io.BytesIO(b"hello"))
        writer.add(symlink("app/link", "/app/x.txt"))


def test_the_blob_is_a_gzip_tar_and_its_digests_hash_it(
    tmp_path: pathlib.Path, members: Callable[[pathlib.Path], dict[str, tarfile.TarInfo]]
) -> None:
    blob = tmp_path / "layer.tar.gz"
    with blob.open("wb") as out, LayerWriter(out) as writer:
        writer.add(directory("app", uid=10001, gid=10001))
        writer.add(regular("app/x.txt", 5, mode=0o600), io.BytesIO(b"hello"))
        writer.add(symlink("app/link", "/app/x.txt"))
        result = writer.finish()
    data = blob.read_bytes()
    tar = gzip.decompress(data)
    assert result.digest == "sha256:" + hashlib.sha256(data).hexdigest()
    assert result.diff_id == "sha256:" + hashlib.sha256(tar).hexdigest()
    assert (result.size, result.uncompressed_size) == (len(data), len(tar))
    entries = members(blob)
    assert list(entries) == ["app", "app/x.txt", "app/link"]
    assert (entries["app"].uid, entries["app"].gid, entries["app"].mode) == (10001, 10001, 0o755)
    assert entries["app/x.txt"].mode == 0o600
    assert entries["app/link"].linkname == "/app/x.txt"
    assert {(m.mtime, m.uname, m.gname) for m in entries.values()} == {(0, "", "")}
    assert TypeAdapter(dict[str, JsonValue]).validate_json(result.to_json()) == {
        "digest": result.digest,
        "diff_id": result.diff_id,
        "size": result.size,
        "uncompressed_size": result.uncompressed_size,
    }


def test_the_same_entries_give_the_same_bytes(tmp_path: pathlib.Path) -> None:
    _write(tmp_path / "a")
    _write(tmp_path / "b")
    _write(tmp_path / "c", owner=1)
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    assert (tmp_path / "a").read_bytes() != (tmp_path / "c").read_bytes()
    # gzip's header carries no name and no time.
    assert (tmp_path / "a").read_bytes()[3:8] == b"\x00\x00\x00\x00\x00"


def test_normalized_drops_what_varies_between_hosts() -> None:
    info = tarfile.TarInfo("./usr/bin/perl5.36.0")
    info.type = tarfile.LNKTYPE
    info.linkname = "./usr/bin/perl"
    info.uname, info.gname, info.mtime = "root", "root", 7
    info.pax_headers = {"atime": "1"}
    out = normalized(info)
    assert (out.name, out.linkname, out.uname, out.gname) == (
        "usr/bin/perl5.36.0",
        "usr/bin/perl",
        "",
        "",
    )
    assert (out.mtime, out.pax_headers, out.size) == (7, {}, 0)
    link = normalized(symlink("./a", "./b"))
    assert (link.name, link.linkname) == ("a", "./b")


def test_a_regular_file_needs_its_content(tmp_path: pathlib.Path) -> None:
    with (tmp_path / "x").open("wb") as out, LayerWriter(out) as writer:
        with pytest.raises(ValueError, match="regular file a needs its content"):
            writer.add(regular("a", 1))
        assert writer.finish() == writer.finish()
