"""The store on a real filesystem: uploads, dedup, reads, deletes, limits and faults."""

import asyncio
import hashlib
import os
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from data_bank_api.engine import Committed, TempBlob
from data_bank_api.files import OS_FILES
from data_bank_api.layout import Layout
from data_bank_api.storage import Storage, StorageConfig, utc_now
from data_bank_api.storage_errors import (
    FileTooLargeError,
    InsufficientStorageError,
    MetadataCorruptError,
    MetadataMissingError,
    ObjectNotFoundError,
    StorageIOError,
)
from data_bank_testing.faults import GIB, FaultyFiles, FreeSpace, disk_full, io_error
from platform_core.blocking import run_blocking

PAYLOAD = b"0123456789" * 10_000
PAYLOAD_ID = hashlib.sha256(PAYLOAD).hexdigest()


async def put(storage: Storage, data: bytes, content_type: str = "text/plain") -> Committed:
    async with storage.upload(expected_bytes=len(data)) as upload:
        for start in range(0, len(data), 7000):
            await upload.write(data[start : start + 7000])
        return await upload.commit(content_type)


async def read_all(
    storage: Storage, file_id: str, start: int = 0, length: int | None = None
) -> bytes:
    blob = await storage.open(file_id)
    try:
        size = blob.stored.size if length is None else length
        return b"".join([chunk async for chunk in blob.chunks(start, size)])
    finally:
        await blob.close()


def tmp_names(root: Path) -> list[str]:
    return sorted(os.listdir(root / "tmp"))


async def test_upload_stores_blob_and_sidecar(storage: Storage, data_root: Path) -> None:
    committed = await put(storage, PAYLOAD)
    assert not committed.deduplicated
    stored = committed.file
    assert stored.file_id == stored.sha256 == PAYLOAD_ID
    assert stored.size == len(PAYLOAD)
    assert stored.content_type == "text/plain"
    assert stored.created_at is not None
    blob = data_root / PAYLOAD_ID[:2] / PAYLOAD_ID[2:4] / f"{PAYLOAD_ID}.bin"
    assert blob.read_bytes() == PAYLOAD
    assert stat.S_IMODE(blob.stat().st_mode) == 0o644
    meta = blob.with_suffix(".meta").read_text()
    assert meta == (
        f"sha256={PAYLOAD_ID}\ncontent_type=text/plain\ncreated_at={stored.created_at.isoformat()}\n"
    )
    assert tmp_names(data_root) == []
    assert await storage.describe(PAYLOAD_ID) == stored
    assert await read_all(storage, PAYLOAD_ID) == PAYLOAD


async def test_writes_are_fsynced_before_the_rename(
    storage: Storage, faulty_files: FaultyFiles, data_root: Path
) -> None:
    faulty_files.calls.clear()
    await put(storage, PAYLOAD)
    names = [name for name, _ in faulty_files.calls]
    shard = str(data_root / PAYLOAD_ID[:2] / PAYLOAD_ID[2:4])
    renames = faulty_files.operations("rename")
    assert len(renames) == 3  # upload -> pending, sidecar into place, blob into place
    assert renames[1].endswith(".meta")
    assert renames[2].endswith(".bin")
    # fsync of the content before any rename; the shard fsynced after each rename into place
    assert names.index("fsync") < names.index("rename")
    assert faulty_files.operations("fsync_dir")[-2:] == [shard, shard]


async def test_empty_file(storage: Storage) -> None:
    committed = await put(storage, b"")
    assert committed.file.file_id == hashlib.sha256(b"").hexdigest()
    assert committed.file.size == 0
    assert await read_all(storage, committed.file.file_id) == b""


async def test_duplicate_upload_keeps_the_first_metadata_and_blob(
    storage: Storage, faulty_files: FaultyFiles, data_root: Path
) -> None:
    first = await put(storage, PAYLOAD, "text/plain")
    faulty_files.calls.clear()
    again = await put(storage, PAYLOAD, "application/json")
    assert again.deduplicated
    assert again.file == first.file
    assert faulty_files.operations("rename") == []
    assert tmp_names(data_root) == []
    assert (await storage.describe(PAYLOAD_ID)).content_type == "text/plain"


@pytest.mark.parametrize("sidecar", [None, b"garbage\n"])
async def test_duplicate_upload_repairs_a_missing_or_broken_sidecar(
    storage: Storage, data_root: Path, sidecar: bytes | None
) -> None:
    await put(storage, PAYLOAD, "text/plain")
    meta = Layout(data_root).meta(PAYLOAD_ID)
    if sidecar is None:
        meta.unlink()
    else:
        meta.write_bytes(sidecar)
    again = await put(storage, PAYLOAD, "application/json")
    assert again.deduplicated
    assert (await storage.describe(PAYLOAD_ID)).content_type == "application/json"
    assert tmp_names(data_root) == []


async def test_a_damaged_blob_of_another_size_is_replaced(
    storage: Storage, data_root: Path
) -> None:
    first = await put(storage, PAYLOAD, "text/plain")
    Layout(data_root).blob(PAYLOAD_ID).write_bytes(b"truncated")
    again = await put(storage, PAYLOAD, "application/json")
    assert not again.deduplicated
    assert again.file == first.file  # the sidecar was fine and is kept
    assert await read_all(storage, PAYLOAD_ID) == PAYLOAD


async def test_too_large_leaves_nothing(storage: Storage, data_root: Path) -> None:
    big = b"x" * (1024 * 1024 + 1)
    with pytest.raises(FileTooLargeError, match="maximum is 1048576 bytes"):
        await put(storage, big)
    assert tmp_names(data_root) == []


async def test_no_limit_when_max_file_bytes_is_none(data_root: Path) -> None:
    store = Storage(StorageConfig(root=data_root, reserve_bytes=0, free_space=FreeSpace()))
    await store.start()
    committed = await put(store, PAYLOAD)
    assert committed.file.size == len(PAYLOAD)


async def test_space_is_checked_before_writing(
    storage: Storage, free_space: FreeSpace, faulty_files: FaultyFiles, data_root: Path
) -> None:
    free_space.free = GIB + len(PAYLOAD) - 1
    faulty_files.calls.clear()
    with pytest.raises(InsufficientStorageError, match="incoming"):
        await put(storage, PAYLOAD)
    assert faulty_files.operations("create") == []
    free_space.free = GIB + len(PAYLOAD)
    await put(storage, PAYLOAD)


async def test_space_is_checked_while_writing(
    storage: Storage, free_space: FreeSpace, data_root: Path
) -> None:
    free_space.script = [100 * GIB, 100 * GIB, GIB - 1]
    with pytest.raises(InsufficientStorageError, match=f"after {len(PAYLOAD)} bytes"):
        await put(storage, PAYLOAD)
    assert tmp_names(data_root) == []


@pytest.mark.parametrize(
    ("error", "expected"),
    [(disk_full(), InsufficientStorageError), (io_error(), StorageIOError)],
)
async def test_a_failing_write_leaves_nothing(
    storage: Storage,
    faulty_files: FaultyFiles,
    data_root: Path,
    error: OSError,
    expected: type[Exception],
) -> None:
    faulty_files.fail("write", error, after=1)
    with pytest.raises(expected):
        await put(storage, PAYLOAD)
    assert tmp_names(data_root) == []
    with pytest.raises(ObjectNotFoundError):
        await storage.describe(PAYLOAD_ID)


@pytest.mark.parametrize(
    ("operation", "path_contains", "skip"),
    [
        ("fsync", "", 0),  # the content
        ("rename", "upload-", 0),  # the upload to its pending name
        ("create", ".meta", 0),  # the pending sidecar
        ("write", "", 2),  # the sidecar's text (after the two flushes of content)
        ("fsync_dir", "tmp", 0),
        ("make_dir", "", 0),
        ("rename", ".meta ->", 0),  # the sidecar into place
        ("rename", ".blob ->", 0),  # the blob into place
    ],
)
async def test_a_failing_commit_step_leaves_nothing(
    storage: Storage,
    faulty_files: FaultyFiles,
    data_root: Path,
    *,
    operation: str,
    path_contains: str,
    skip: int,
) -> None:
    faulty_files.fail(operation, disk_full(), after=skip, path_contains=path_contains)
    with pytest.raises(InsufficientStorageError):
        await put(storage, PAYLOAD)
    assert tmp_names(data_root) == []
    assert not Layout(data_root).meta(PAYLOAD_ID).exists()
    with pytest.raises(ObjectNotFoundError):
        await storage.describe(PAYLOAD_ID)


async def test_a_failing_final_fsync_keeps_the_committed_object(
    storage: Storage, faulty_files: FaultyFiles, data_root: Path
) -> None:
    shard = str(Layout(data_root).shard(PAYLOAD_ID))
    faulty_files.fail("fsync_dir", io_error(), after=1, path_contains=shard)
    with pytest.raises(StorageIOError, match="fsync"):
        await put(storage, PAYLOAD)
    assert tmp_names(data_root) == []
    assert (await storage.describe(PAYLOAD_ID)).size == len(PAYLOAD)


async def test_a_failed_replacement_keeps_the_old_sidecar(
    storage: Storage, faulty_files: FaultyFiles, data_root: Path
) -> None:
    await put(storage, PAYLOAD, "text/plain")
    Layout(data_root).blob(PAYLOAD_ID).write_bytes(b"short")
    faulty_files.fail("rename", io_error(), path_contains=".blob ->")
    with pytest.raises(StorageIOError):
        await put(storage, PAYLOAD)
    assert Layout(data_root).meta(PAYLOAD_ID).exists()
    assert tmp_names(data_root) == []


async def test_a_failing_sidecar_repair_leaves_no_temporary_file(
    storage: Storage, faulty_files: FaultyFiles, data_root: Path
) -> None:
    await put(storage, PAYLOAD)
    Layout(data_root).meta(PAYLOAD_ID).unlink()
    faulty_files.fail("rename", io_error(), path_contains=".meta ->")
    with pytest.raises(StorageIOError):
        await put(storage, PAYLOAD)
    assert tmp_names(data_root) == []


async def test_cancelled_upload_waits_for_the_write_then_removes_the_file(
    storage: Storage, faulty_files: FaultyFiles, data_root: Path
) -> None:
    entered = threading.Event()
    release = threading.Event()

    def stall() -> None:
        entered.set()
        release.wait(10)

    faulty_files.before("write", stall)
    task = asyncio.create_task(put(storage, PAYLOAD))
    assert await run_blocking(entered.wait, 10)
    task.cancel()
    await asyncio.sleep(0)
    assert not task.done()  # still waiting for the write in its thread
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert tmp_names(data_root) == []


async def test_upload_must_be_entered_and_committed_once(storage: Storage) -> None:
    upload = storage.upload()
    with pytest.raises(RuntimeError, match="not open"):
        await upload.write(b"x")
    async with upload:
        await upload.write(b"x")
        assert upload.received == 1
        await upload.commit("text/plain")
        with pytest.raises(RuntimeError, match="not open"):
            await upload.commit("text/plain")


async def test_reads_of_ranges(storage: Storage) -> None:
    await put(storage, PAYLOAD)
    assert await read_all(storage, PAYLOAD_ID, 5, 11) == PAYLOAD[5:16]
    assert await read_all(storage, PAYLOAD_ID, 0, 70_000) == PAYLOAD[:70_000]
    assert await read_all(storage, PAYLOAD_ID, len(PAYLOAD) - 1, 1) == PAYLOAD[-1:]


async def test_reading_stops_at_an_unexpected_end(storage: Storage, data_root: Path) -> None:
    await put(storage, PAYLOAD)
    blob = await storage.open(PAYLOAD_ID)
    os.truncate(Layout(data_root).blob(PAYLOAD_ID), 10)
    data = b"".join([chunk async for chunk in blob.chunks(0, len(PAYLOAD))])
    await blob.close()
    await blob.close()
    assert data == PAYLOAD[:10]
    with pytest.raises(RuntimeError, match="closed"):
        await anext(blob.chunks(0, 1))


async def test_missing_object(storage: Storage) -> None:
    with pytest.raises(ObjectNotFoundError, match="file not found"):
        await storage.describe(PAYLOAD_ID)
    with pytest.raises(ObjectNotFoundError):
        await storage.open(PAYLOAD_ID)


@pytest.mark.parametrize(
    ("sidecar", "detail"),
    [
        (b"", "sha256 missing or invalid"),
        (b"content_type=text/plain\n", "sha256 missing or invalid"),
        (f"sha256={PAYLOAD_ID}\n".encode(), "content_type missing"),
        (f"sha256={'0' * 64}\ncontent_type=a/b\n".encode(), "does not match the file id"),
        (b"x" * 5000, "larger than 4096 bytes"),
    ],
)
async def test_a_broken_sidecar_is_an_error(
    storage: Storage, data_root: Path, sidecar: bytes, detail: str
) -> None:
    await put(storage, PAYLOAD)
    Layout(data_root).meta(PAYLOAD_ID).write_bytes(sidecar)
    with pytest.raises(MetadataCorruptError, match=detail):
        await storage.describe(PAYLOAD_ID)


async def test_a_missing_sidecar_is_an_error(storage: Storage, data_root: Path) -> None:
    await put(storage, PAYLOAD)
    Layout(data_root).meta(PAYLOAD_ID).unlink()
    with pytest.raises(MetadataMissingError, match="metadata missing"):
        await storage.describe(PAYLOAD_ID)


async def test_a_sidecar_that_is_a_directory_is_an_io_error(
    storage: Storage, data_root: Path
) -> None:
    await put(storage, PAYLOAD)
    meta = Layout(data_root).meta(PAYLOAD_ID)
    meta.unlink()
    meta.mkdir()
    with pytest.raises(StorageIOError, match="read"):
        await storage.describe(PAYLOAD_ID)


async def test_a_delete_during_a_read_is_not_found(
    storage: Storage, faulty_files: FaultyFiles, data_root: Path
) -> None:
    await put(storage, PAYLOAD)
    layout = Layout(data_root)

    def delete_now() -> None:
        layout.blob(PAYLOAD_ID).unlink()
        layout.meta(PAYLOAD_ID).unlink()

    faulty_files.before("read_bytes", delete_now, path_contains=".meta")
    with pytest.raises(ObjectNotFoundError):
        await storage.describe(PAYLOAD_ID)


async def test_open_errors_are_io_errors(storage: Storage, faulty_files: FaultyFiles) -> None:
    await put(storage, PAYLOAD)
    faulty_files.fail("open_read", io_error())
    with pytest.raises(StorageIOError, match="open"):
        await storage.describe(PAYLOAD_ID)
    faulty_files.calls.clear()
    faulty_files.fail("fstat_size", io_error())
    with pytest.raises(StorageIOError, match="stat"):
        await storage.describe(PAYLOAD_ID)
    assert len(faulty_files.operations("close")) == 1


async def test_delete(storage: Storage, data_root: Path) -> None:
    await put(storage, PAYLOAD)
    assert await storage.delete(PAYLOAD_ID)
    layout = Layout(data_root)
    assert not layout.blob(PAYLOAD_ID).exists()
    assert not layout.meta(PAYLOAD_ID).exists()
    assert tmp_names(data_root) == []
    assert not await storage.delete(PAYLOAD_ID)
    with pytest.raises(ObjectNotFoundError):
        await storage.describe(PAYLOAD_ID)


async def test_delete_of_a_lone_sidecar(storage: Storage, data_root: Path) -> None:
    await put(storage, PAYLOAD)
    Layout(data_root).blob(PAYLOAD_ID).unlink()
    assert await storage.delete(PAYLOAD_ID)
    assert not Layout(data_root).meta(PAYLOAD_ID).exists()


async def test_delete_of_a_lone_blob(storage: Storage, data_root: Path) -> None:
    await put(storage, PAYLOAD)
    Layout(data_root).meta(PAYLOAD_ID).unlink()
    assert await storage.delete(PAYLOAD_ID)
    assert not Layout(data_root).blob(PAYLOAD_ID).exists()


async def test_delete_io_error(storage: Storage, faulty_files: FaultyFiles) -> None:
    await put(storage, PAYLOAD)
    faulty_files.fail("rename", io_error())
    with pytest.raises(StorageIOError, match="rename"):
        await storage.delete(PAYLOAD_ID)


async def test_start_finishes_an_interrupted_upload(data_root: Path) -> None:
    layout = Layout(data_root)
    store = Storage(StorageConfig(root=data_root, reserve_bytes=0))
    await store.start()
    # A crash after the sidecar went into place, before the blob did:
    pending = layout.pending_blob(PAYLOAD_ID)
    pending.write_bytes(PAYLOAD)
    layout.shard(PAYLOAD_ID).mkdir(parents=True)
    layout.meta(PAYLOAD_ID).write_text(f"sha256={PAYLOAD_ID}\ncontent_type=a/b\n")
    (layout.tmp / "upload-0123").write_bytes(b"partial")
    (data_root / "upload_abc123_x").write_bytes(b"legacy temp file")
    (data_root / "keep.txt").write_bytes(b"not ours")
    recovery = await Storage(StorageConfig(root=data_root, reserve_bytes=0)).start()
    assert recovery.temporary_files == 3
    assert recovery.unfinished_objects == 1
    assert not layout.meta(PAYLOAD_ID).exists()
    assert tmp_names(data_root) == []
    assert sorted(os.listdir(data_root)) == [PAYLOAD_ID[:2], "keep.txt", "tmp"]


async def test_start_keeps_objects_whose_blob_is_in_place(data_root: Path) -> None:
    store = Storage(StorageConfig(root=data_root, reserve_bytes=0))
    await store.start()
    await put(store, PAYLOAD)
    layout = Layout(data_root)
    layout.pending_blob(PAYLOAD_ID).write_bytes(b"stale")
    layout.pending_blob("ff" * 32).write_bytes(b"no sidecar either")
    recovery = await Storage(StorageConfig(root=data_root, reserve_bytes=0)).start()
    assert recovery.temporary_files == 2
    assert recovery.unfinished_objects == 0
    assert (await store.describe(PAYLOAD_ID)).size == len(PAYLOAD)


async def test_start_on_a_clean_root_touches_nothing(
    data_root: Path, faulty_files: FaultyFiles
) -> None:
    store = Storage(StorageConfig(root=data_root, reserve_bytes=0, files=faulty_files))
    first = await store.start()
    assert first.temporary_files == first.unfinished_objects == 0
    created = faulty_files.operations("make_dir")
    assert created == [str(data_root.parent), str(data_root), str(data_root / "tmp")]
    assert faulty_files.operations("fsync_dir") == [
        str(data_root.parent.parent),
        str(data_root.parent),
        str(data_root),
    ]
    faulty_files.calls.clear()
    await store.start()
    assert faulty_files.operations("make_dir") == []
    assert faulty_files.operations("unlink") == []


async def test_start_fails_when_the_root_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    store = Storage(StorageConfig(root=blocker / "root", reserve_bytes=0))
    with pytest.raises(StorageIOError, match="mkdir"):
        await store.start()


async def test_start_fails_when_a_temporary_file_cannot_be_removed(
    storage: Storage, data_root: Path
) -> None:
    (data_root / "tmp" / "a-directory").mkdir()
    with pytest.raises(StorageIOError, match="unlink"):
        await storage.start()


async def test_make_dir_race_with_a_file(data_root: Path, faulty_files: FaultyFiles) -> None:
    data_root.parent.mkdir(parents=True)

    def occupy() -> None:
        data_root.write_bytes(b"")

    faulty_files.before("make_dir", occupy, path_contains=str(data_root))
    store = Storage(StorageConfig(root=data_root, reserve_bytes=0, files=faulty_files))
    with pytest.raises(StorageIOError, match="mkdir"):
        await store.start()


async def test_make_dir_race_with_a_directory(data_root: Path, faulty_files: FaultyFiles) -> None:
    data_root.parent.mkdir(parents=True)

    def occupy() -> None:
        data_root.mkdir()

    faulty_files.before("make_dir", occupy, path_contains=str(data_root))
    store = Storage(StorageConfig(root=data_root, reserve_bytes=0, files=faulty_files))
    await store.start()
    assert (data_root / "tmp").is_dir()


async def test_free_space_and_probe(storage: Storage, free_space: FreeSpace) -> None:
    free_space.free = 5 * GIB
    assert await storage.free_bytes() == 5 * GIB
    await storage.check_space()
    await storage.check_space(4 * GIB)
    with pytest.raises(InsufficientStorageError, match="reserved"):
        await storage.check_space(4 * GIB + 1)
    await storage.probe_writable()


async def test_probe_failures(storage: Storage, faulty_files: FaultyFiles, data_root: Path) -> None:
    faulty_files.fail("create", io_error())
    with pytest.raises(StorageIOError, match="create"):
        await storage.probe_writable()
    faulty_files.fail("fsync", disk_full())
    with pytest.raises(InsufficientStorageError):
        await storage.probe_writable()
    assert tmp_names(data_root) == []


async def test_free_space_probe_failure_is_an_io_error(data_root: Path) -> None:
    store = Storage(StorageConfig(root=data_root / "missing", reserve_bytes=0))
    with pytest.raises(StorageIOError, match="statvfs"):
        await store.free_bytes()


async def test_real_free_space_probe(data_root: Path) -> None:
    store = Storage(StorageConfig(root=data_root, reserve_bytes=0))
    await store.start()
    assert await store.free_bytes() > 0
    assert store.layout.root == data_root


def test_config_is_checked(data_root: Path) -> None:
    with pytest.raises(ValueError, match="reserve cannot be negative"):
        Storage(StorageConfig(root=data_root, reserve_bytes=-1))
    with pytest.raises(ValueError, match="max_file_bytes cannot be negative"):
        Storage(StorageConfig(root=data_root, reserve_bytes=0, max_file_bytes=-1))
    with pytest.raises(ValueError, match="chunk_bytes must be positive"):
        Storage(StorageConfig(root=data_root, reserve_bytes=0, chunk_bytes=0))
    with pytest.raises(ValueError, match="io_threads must be positive"):
        Storage(StorageConfig(root=data_root, reserve_bytes=0, io_threads=0))


def test_utc_now_is_aware() -> None:
    assert utc_now().tzinfo is UTC
    assert abs((utc_now() - datetime.now(UTC)).total_seconds()) < 60


def test_os_files_details(tmp_path: Path) -> None:
    assert OS_FILES.list_dir(tmp_path / "missing") == []
    assert OS_FILES.stat_size(tmp_path) is None
    assert OS_FILES.read_bytes(tmp_path / "missing", 10) is None
    assert not OS_FILES.unlink(tmp_path / "missing")
    assert OS_FILES.is_dir(tmp_path)
    assert not OS_FILES.make_dir(tmp_path)


async def test_temp_blob_refuses_use_after_finish(storage: Storage) -> None:
    temp = TempBlob(storage.engine)
    temp.append([b"ab", memoryview(b"c")])
    assert temp.finish() == hashlib.sha256(b"abc").hexdigest()
    with pytest.raises(RuntimeError, match="already closed"):
        temp.append([b"more"])
    temp.discard()
    assert not temp.path.exists()
