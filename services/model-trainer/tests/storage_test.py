"""Corpora and artifact directories through a real data-bank-api; tarball checks."""

import io
import pathlib
import tarfile

import pytest

from model_trainer.storage import (
    CorpusNotFoundError,
    CorpusTooLargeError,
    StorageError,
    Store,
    pack,
    unpack,
)
from platform_core.data_bank_client import DataBankClient
from tests.trainer_support import DataBank


def tarball(path: pathlib.Path, *members: tarfile.TarInfo) -> pathlib.Path:
    with tarfile.open(path, "w:gz") as archive:
        for member in members:
            archive.addfile(member, io.BytesIO(b"x" * member.size))
    return path


def entry(name: str, kind: bytes = tarfile.REGTYPE, size: int = 1) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = size if kind == tarfile.REGTYPE else 0
    return info


def test_a_directory_round_trips_under_a_new_root(tmp_path: pathlib.Path) -> None:
    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "a.txt").write_text("a")
    pack(source, "model-r1", tmp_path / "t.tar.gz")
    unpack(tmp_path / "t.tar.gz", "model-r1", tmp_path / "out" / "model")
    assert (tmp_path / "out" / "model" / "sub" / "a.txt").read_text() == "a"
    unpack(tmp_path / "t.tar.gz", "model-r1", tmp_path / "out" / "model")  # already there
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["model"]


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (entry("/abs"), "is outside"),
        (entry("root/../x"), "is outside"),
        (entry("other/x"), "is outside"),
        (entry("root/link", tarfile.SYMTYPE), "is not a file"),
    ],
)
def test_unsafe_members_are_refused(
    tmp_path: pathlib.Path, member: tarfile.TarInfo, message: str
) -> None:
    bad = tarball(tmp_path / "bad.tar.gz", member)
    with pytest.raises(StorageError, match=message):
        unpack(bad, "root", tmp_path / "dest")
    assert not (tmp_path / "dest").exists()


def test_a_tarball_without_its_root_or_not_a_tarball(tmp_path: pathlib.Path) -> None:
    with pytest.raises(StorageError, match="has no directory 'root'"):
        unpack(tarball(tmp_path / "empty.tar.gz"), "root", tmp_path / "dest")
    (tmp_path / "junk.tar.gz").write_bytes(b"junk")
    with pytest.raises(StorageError, match="not a tarball"):
        unpack(tmp_path / "junk.tar.gz", "root", tmp_path / "dest")


async def test_corpora_are_cached_checked_and_limited(
    data_bank: DataBank, tmp_path: pathlib.Path
) -> None:
    text_id = await data_bank.upload("hello\nworld\n")
    async with data_bank.client() as bank:
        binary_id = (await bank.upload(b"\xff\xfe", filename="b.bin")).file_id
        store = Store(bank, max_corpus_bytes=100)
        assert await store.fetch_corpus(text_id, tmp_path) == "hello\nworld\n"
        assert (tmp_path / f"{text_id}.txt").is_file()
        await bank.delete(text_id)
        assert await store.fetch_corpus(text_id, tmp_path) == "hello\nworld\n"
        with pytest.raises(StorageError, match="is not UTF-8 text"):
            await store.fetch_corpus(binary_id, tmp_path)
        with pytest.raises(CorpusNotFoundError):
            await store.fetch_corpus("0" * 64, tmp_path)
        with pytest.raises(CorpusTooLargeError, match="over the limit of 1"):
            await Store(bank, max_corpus_bytes=1).corpus_size(binary_id)
    async with DataBankClient(data_bank.url, "wrong-key") as denied:
        with pytest.raises(StorageError, match="corpus fetch failed") as failed:
            await Store(denied, max_corpus_bytes=100).fetch_corpus(binary_id, tmp_path / "x")
        assert failed.value.kind == "system"
        source = tmp_path / "dir"
        source.mkdir()
        with pytest.raises(StorageError, match="artifact upload failed"):
            await Store(denied, max_corpus_bytes=100).upload_dir(source, "root")


async def test_artifact_directories_are_fetched_once(
    data_bank: DataBank, tmp_path: pathlib.Path
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "f").write_text("1")
    async with data_bank.client() as bank:
        store = Store(bank, max_corpus_bytes=100)
        artifact = await store.upload_dir(source, "model-x")
        assert artifact.root == "model-x"
        dest = await store.ensure_dir(artifact, tmp_path / "dest")
        assert (dest / "f").read_text() == "1"
        await bank.delete(artifact.file_id)
        assert await store.ensure_dir(artifact, tmp_path / "dest") == dest
        with pytest.raises(StorageError, match="artifact download failed"):
            await store.ensure_dir(artifact, tmp_path / "elsewhere")
