"""The integrity scrub over a real data root."""

import hashlib
from pathlib import Path

import pytest

from data_bank_api.layout import Layout, is_shard_name
from data_bank_api.scrub import Finding, Scrubber
from data_bank_api.storage import Storage
from data_bank_api.storage_errors import StorageIOError
from data_bank_testing.faults import FaultyFiles, io_error


async def put(storage: Storage, data: bytes) -> str:
    async with storage.upload() as upload:
        await upload.write(data)
        return (await upload.commit("text/plain")).file.file_id


class Progress:
    """Records the scrub's progress calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    async def __call__(self, done: int, total: int) -> None:
        self.calls.append((done, total))


async def test_a_healthy_store_has_no_findings(storage: Storage) -> None:
    for number in range(3):
        await put(storage, f"object {number}".encode() * 1000)
    progress = Progress()
    report = await Scrubber(storage.engine).run(progress)
    assert report.objects_checked == 3
    assert report.bytes_checked == 3 * 8000
    assert report.findings == []
    assert progress.calls == [(1, 3), (2, 3), (3, 3)]


async def test_an_empty_store(storage: Storage) -> None:
    progress = Progress()
    report = await Scrubber(storage.engine).run(progress)
    assert report.objects_checked == 0
    assert progress.calls == []


async def test_every_kind_of_problem_is_reported(storage: Storage, data_root: Path) -> None:
    layout = Layout(data_root)
    corrupt = await put(storage, b"will be corrupted")
    no_meta = await put(storage, b"loses its sidecar")
    bad_meta = await put(storage, b"gets a bad sidecar")
    orphan = await put(storage, b"loses its blob")
    damaged = b"will be corrupteD"
    layout.blob(corrupt).write_bytes(damaged)
    layout.meta(no_meta).unlink()
    layout.meta(bad_meta).write_text("nonsense\n")
    layout.blob(orphan).unlink()
    wrong_shard = "ff" * 32
    (layout.shard(corrupt) / f"{wrong_shard}.bin").write_bytes(b"misplaced")
    (layout.shard(corrupt) / "notes.txt").write_bytes(b"stray")
    (data_root / corrupt[:2] / "zz").mkdir()
    (data_root / corrupt[:2] / "0f").write_bytes(b"a file where a shard should be")
    (data_root / "lost+found").mkdir()
    (data_root / "ab").write_bytes(b"a file at the top level is not looked into")
    report = await Scrubber(storage.engine).run(Progress())
    assert report.objects_checked == 4
    by_problem = {finding.problem: finding for finding in report.findings}
    assert by_problem["corrupt"] == Finding(
        file_id=corrupt,
        path=f"{corrupt[:2]}/{corrupt[2:4]}/{corrupt}.bin",
        problem="corrupt",
        detail=f"the content (17 bytes) hashes to {hashlib.sha256(damaged).hexdigest()}",
    )
    assert by_problem["metadata_missing"].file_id == no_meta
    assert by_problem["metadata_invalid"].file_id == bad_meta
    assert by_problem["metadata_invalid"].detail == "sha256 missing or invalid"
    assert by_problem["orphaned_metadata"].path.endswith(f"{orphan}.meta")
    unexpected = sorted(f.path for f in report.findings if f.problem == "unexpected_file")
    prefix = f"{corrupt[:2]}/{corrupt[2:4]}"
    assert unexpected == sorted(
        [
            f"{prefix}/{wrong_shard}.bin",
            f"{prefix}/notes.txt",
            f"{corrupt[:2]}/zz",
            f"{corrupt[:2]}/0f",
        ]
    )


async def test_objects_that_change_during_the_scrub(
    storage: Storage, data_root: Path, faulty_files: FaultyFiles
) -> None:
    layout = Layout(data_root)
    gone = await put(storage, b"deleted during the scrub")
    racing = await put(storage, b"deleted between stat and open")
    appears = await put(storage, b"blob appears after the listing")
    layout.blob(appears).rename(data_root / "held")

    def delete_gone() -> None:
        layout.blob(gone).unlink()
        layout.meta(gone).unlink()

    def delete_racing() -> None:
        layout.blob(racing).unlink()

    def restore() -> None:
        (data_root / "held").rename(layout.blob(appears))

    faulty_files.before("stat_size", delete_gone, path_contains=f"{gone}.bin")
    faulty_files.before("open_read", delete_racing, path_contains=f"{racing}.bin")
    faulty_files.before("stat_size", restore, path_contains=f"{appears}.bin")
    report = await Scrubber(storage.engine).run(Progress())
    assert report.objects_checked == 3
    assert report.findings == []


async def test_read_errors_raise(storage: Storage, faulty_files: FaultyFiles) -> None:
    file_id = await put(storage, b"unreadable")
    faulty_files.fail("open_read", io_error(), path_contains=file_id)
    with pytest.raises(StorageIOError, match="open"):
        await Scrubber(storage.engine).run(Progress())
    faulty_files.fail("pread", io_error())
    with pytest.raises(StorageIOError, match="read"):
        await Scrubber(storage.engine).run(Progress())


def test_shard_names() -> None:
    assert is_shard_name("0f")
    assert not is_shard_name("0F")
    assert not is_shard_name("tmp")
