"""The storage engine's blocking core: every step that touches the disk, in order.

The async `Storage` runs these methods in worker threads and serialises the ones that
change one object (commit, delete) with a per-id lock. The invariant they keep, even
across a crash at any instruction, is: **an object is visible exactly when its blob
is in place, and a blob in place always has its sidecar**.

- Upload: the body goes to `tmp/upload-<token>` while it is hashed; it is fsynced and
  renamed to `tmp/<id>.<token>.blob`, the sidecar is written and fsynced as
  `tmp/<id>.<token>.meta`, and `tmp/` is fsynced. Then the sidecar is renamed into place
  and the shard directory fsynced, and only then the blob is renamed into place (the
  commit point) and the shard fsynced again.
- Delete: the blob is renamed out to `tmp/<id>.<token>.blob` (the object disappears),
  both directories are fsynced, then the sidecar and the renamed blob are removed.
- Start (`recover`): for every `tmp/<id>.*.blob` whose object has no blob in place,
  the sidecar is removed (it belonged to an upload or a delete that did not finish);
  then everything in `tmp/` is removed. So no crash leaves a partial object, a
  half-deleted one, or temporary files behind.
"""

import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from data_bank_api.files import FileLayer
from data_bank_api.free_space import FreeSpaceProbe
from data_bank_api.layout import Layout, pending_blob_id
from data_bank_api.metadata import MAX_META_BYTES, ObjectMeta, encode_meta, parse_meta
from data_bank_api.storage_errors import (
    InsufficientStorageError,
    MetadataCorruptError,
    MetadataMissingError,
    ObjectNotFoundError,
    translate_os_error,
)

# Temporary files the original service left in the data root (`tempfile.mkstemp` names).
_LEGACY_TEMP = re.compile(r"(?:upload|probe)_[a-z0-9_]{8}")


@contextmanager
def os_errors(operation: str, path: Path) -> Iterator[None]:
    """Turn an `OSError` of `operation` on `path` into the engine's precise error."""
    try:
        yield
    except OSError as exc:
        raise translate_os_error(operation, path, exc) from exc


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A stored object as the API describes it."""

    file_id: str
    size: int
    sha256: str
    content_type: str
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class Recovery:
    """What `recover` cleaned up."""

    temporary_files: int
    unfinished_objects: int


@dataclass(frozen=True, slots=True)
class Committed:
    """The result of storing an upload: the object, and whether it already existed."""

    file: StoredFile
    deduplicated: bool


class Engine:
    """Blocking storage operations on one data root."""

    def __init__(
        self,
        layout: Layout,
        *,
        files: FileLayer,
        free_space: FreeSpaceProbe,
        reserve_bytes: int,
    ) -> None:
        if reserve_bytes < 0:
            raise ValueError("the free-space reserve cannot be negative")
        self.layout = layout
        self.files = files
        self._free_space = free_space
        self.reserve_bytes = reserve_bytes

    # --- directories ------------------------------------------------------------------

    def make_dirs(self, path: Path) -> None:
        """Create `path` and its missing parents, fsyncing each parent that gained one."""
        missing: list[Path] = []
        current = path
        while not self.files.is_dir(current):
            missing.append(current)
            current = current.parent
        for directory in reversed(missing):
            with os_errors("mkdir", directory):
                if self.files.make_dir(directory):
                    # A new directory's entry lives in its parent: fsynced, or a crash
                    # could lose the directory together with what is renamed into it.
                    self.files.fsync_dir(directory.parent)

    def fsync_dir(self, path: Path) -> None:
        """Make a directory's entries durable."""
        with os_errors("fsync", path):
            self.files.fsync_dir(path)

    # --- start ------------------------------------------------------------------------

    def recover(self) -> Recovery:
        """Create the data root and `tmp/`, finish what a crash interrupted, empty `tmp/`."""
        layout = self.layout
        self.make_dirs(layout.tmp)
        names = self.files.list_dir(layout.tmp)
        unfinished = 0
        for name in names:
            file_id = pending_blob_id(name)
            if file_id is None or self.files.stat_size(layout.blob(file_id)) is not None:
                continue
            meta = layout.meta(file_id)
            with os_errors("unlink", meta):
                removed = self.files.unlink(meta)
            if removed:
                unfinished += 1
                # Durable before `tmp/` is emptied below: otherwise a crash could bring
                # the sidecar back after its pending blob is gone, and nothing would
                # show it belonged to an unfinished upload.
                self.fsync_dir(meta.parent)
        temporary = [layout.tmp / name for name in names]
        temporary += [
            layout.root / name
            for name in self.files.list_dir(layout.root)
            if _LEGACY_TEMP.fullmatch(name) is not None
        ]
        for path in temporary:
            with os_errors("unlink", path):
                self.files.unlink(path)
        if temporary:
            self.fsync_dir(layout.tmp)
            self.fsync_dir(layout.root)
        return Recovery(temporary_files=len(temporary), unfinished_objects=unfinished)

    # --- space ------------------------------------------------------------------------

    def free_bytes(self) -> int:
        """Bytes free for new files on the data root's filesystem."""
        with os_errors("statvfs", self.layout.root):
            return self._free_space(self.layout.root)

    def check_space(self, incoming: int = 0) -> None:
        """`InsufficientStorageError` if `incoming` more bytes would cut into the reserve."""
        free = self.free_bytes()
        if free - incoming < self.reserve_bytes:
            raise InsufficientStorageError(
                f"{free} bytes free, {incoming} incoming, {self.reserve_bytes} reserved"
            )

    def probe_writable(self) -> None:
        """Create, fsync and remove a file in `tmp/` (readiness)."""
        path = self.layout.probe()
        with os_errors("create", path):
            fd = self.files.create(path)
            try:
                self.files.write(fd, b"probe")
                self.files.fsync(fd)
            finally:
                self.files.close(fd)
                self.files.unlink(path)

    # --- metadata ---------------------------------------------------------------------

    def inspect_meta(self, file_id: str) -> ObjectMeta | str | None:
        """The object's sidecar, None when there is none, or what makes it unusable."""
        path = self.layout.meta(file_id)
        with os_errors("read", path):
            raw = self.files.read_bytes(path, MAX_META_BYTES + 1)
        if raw is None:
            return None
        if len(raw) > MAX_META_BYTES:
            return f"larger than {MAX_META_BYTES} bytes"
        meta = parse_meta(raw)
        if isinstance(meta, ObjectMeta) and meta.sha256 != file_id:
            return "sha256 does not match the file id"
        return meta

    def read_meta(self, file_id: str) -> ObjectMeta | None:
        """The object's sidecar, None when there is none; `MetadataCorruptError` when unusable."""
        meta = self.inspect_meta(file_id)
        if isinstance(meta, str):
            raise MetadataCorruptError(file_id, meta)
        return meta

    def _write_pending_meta(self, meta: ObjectMeta) -> Path:
        path = self.layout.pending_meta(meta.sha256)
        with os_errors("write", path):
            fd = self.files.create(path)
            try:
                self.files.write(fd, encode_meta(meta))
                # The content is durable before the name is renamed into place: a renamed
                # file whose data a crash lost would be an empty or short sidecar.
                self.files.fsync(fd)
            except BaseException:
                self.files.close(fd)
                self.files.unlink(path)
                raise
            self.files.close(fd)
        return path

    def rename(self, source: Path, target: Path) -> None:
        """Rename with the engine's error translation."""
        with os_errors("rename", source):
            self.files.rename(source, target)

    def unlink(self, path: Path) -> bool:
        """Remove a file; False when it was not there."""
        with os_errors("unlink", path):
            return self.files.unlink(path)

    # --- upload -----------------------------------------------------------------------

    def commit(
        self, temp: Path, *, sha256: str, size: int, content_type: str, now: datetime
    ) -> Committed:
        """Store the fsynced, closed upload `temp` under its hash (see the module docstring).

        An object already stored with the same size is not rewritten; the temporary file
        is removed and the stored object (with its original metadata) is returned. A
        missing or broken sidecar is rewritten from this upload; a blob of the wrong size
        is damaged and replaced by this upload.
        """
        layout = self.layout
        stored_size = self.files.stat_size(layout.blob(sha256))
        inspected = self.inspect_meta(sha256)
        # A broken sidecar is replaced by the one this upload writes.
        meta = inspected if isinstance(inspected, ObjectMeta) else None
        if stored_size == size and meta is not None:
            self.unlink(temp)
            return Committed(_stored(sha256, size, meta), deduplicated=True)
        new_meta = meta is None
        if meta is None:
            meta = ObjectMeta(sha256=sha256, content_type=content_type, created_at=now)
        if stored_size == size:
            self.unlink(temp)
            self._place(meta, None, new_meta=True)
            return Committed(_stored(sha256, size, meta), deduplicated=True)
        pending_blob = layout.pending_blob(sha256)
        self.rename(temp, pending_blob)
        try:
            self._place(meta, pending_blob, new_meta=new_meta)
        except BaseException:
            # Undo what is not in place yet; `recover` would do the same at the next start.
            self.unlink(pending_blob)
            if stored_size is None and self.files.stat_size(layout.blob(sha256)) is None:
                self.unlink(layout.meta(sha256))
            raise
        return Committed(_stored(sha256, size, meta), deduplicated=False)

    def _place(self, meta: ObjectMeta, pending_blob: Path | None, *, new_meta: bool) -> None:
        """Rename a new sidecar, then the pending blob, into place (each made durable)."""
        layout = self.layout
        file_id = meta.sha256
        pending_meta = self._write_pending_meta(meta) if new_meta else None
        try:
            # The pending blob and sidecar (their data fsynced already) are durable in
            # `tmp/` before anything is renamed out of it: `recover` then finds them
            # whichever rename a crash interrupts.
            self.fsync_dir(layout.tmp)
            shard = layout.shard(file_id)
            self.make_dirs(shard)
            if pending_meta is not None:
                self.rename(pending_meta, layout.meta(file_id))
                pending_meta = None
                # The sidecar is durable in place before the blob is: a blob in place
                # (the object is visible) must never be without its sidecar after a crash.
                self.fsync_dir(shard)
            if pending_blob is not None:
                self.rename(pending_blob, layout.blob(file_id))
                # The commit point: durable before the upload is answered 201.
                self.fsync_dir(shard)
        finally:
            if pending_meta is not None:
                self.unlink(pending_meta)

    # --- read -------------------------------------------------------------------------

    def open_blob(self, file_id: str) -> tuple[int, StoredFile]:
        """An open descriptor on the object's content and its description."""
        blob = self.layout.blob(file_id)
        try:
            fd = self.files.open_read(blob)
        except FileNotFoundError:
            raise ObjectNotFoundError(file_id) from None
        except OSError as exc:
            raise translate_os_error("open", blob, exc) from exc
        try:
            return fd, self._describe_open(file_id, fd)
        except BaseException:
            self.files.close(fd)
            raise

    def _describe_open(self, file_id: str, fd: int) -> StoredFile:
        blob = self.layout.blob(file_id)
        with os_errors("stat", blob):
            size = self.files.fstat_size(fd)
        meta = self.read_meta(file_id)
        if meta is not None:
            return _stored(file_id, size, meta)
        if self.files.stat_size(blob) is None:
            # Deleted between our open and the sidecar read.
            raise ObjectNotFoundError(file_id)
        raise MetadataMissingError(file_id)

    def describe(self, file_id: str) -> StoredFile:
        """The object's description (`ObjectNotFoundError` when it is not stored)."""
        fd, stored = self.open_blob(file_id)
        self.files.close(fd)
        return stored

    def read(self, fd: int, size: int, offset: int) -> bytes:
        """Up to `size` bytes of an open blob at `offset`."""
        with os_errors("read", self.layout.root):
            return self.files.pread(fd, size, offset)

    def close(self, fd: int) -> None:
        """Close a descriptor from `open_blob`."""
        self.files.close(fd)

    # --- delete -----------------------------------------------------------------------

    def delete(self, file_id: str) -> bool:
        """Remove the object; whether anything (blob or sidecar) was there."""
        layout = self.layout
        pending = layout.pending_blob(file_id)
        shard = layout.shard(file_id)
        had_blob = True
        try:
            self.files.rename(layout.blob(file_id), pending)
        except FileNotFoundError:
            had_blob = False
        except OSError as exc:
            raise translate_os_error("rename", layout.blob(file_id), exc) from exc
        if had_blob:
            # The object is gone (blob out of the shard, into `tmp/`) durably before its
            # sidecar is removed: a crash in between leaves a pending blob whose sidecar
            # `recover` removes, never a visible blob without a sidecar.
            self.fsync_dir(shard)
            self.fsync_dir(layout.tmp)
        had_meta = self.unlink(layout.meta(file_id))
        if had_blob:
            self.unlink(pending)
        if had_meta:
            self.fsync_dir(shard)
        return had_blob or had_meta


def _stored(file_id: str, size: int, meta: ObjectMeta) -> StoredFile:
    return StoredFile(
        file_id=file_id,
        size=size,
        sha256=meta.sha256,
        content_type=meta.content_type,
        created_at=meta.created_at,
    )


class TempBlob:
    """An upload being received: written to `tmp/upload-<token>` while it is hashed.

    After every `append` the free space is measured; below the reserve the upload stops
    with `InsufficientStorageError` (and the caller discards the file).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.path = engine.layout.upload_temp()
        with os_errors("create", self.path):
            self._fd: int | None = engine.files.create(self.path)
        self._hash = hashlib.sha256()
        self.size = 0

    def append(self, pieces: Sequence[bytes | memoryview]) -> None:
        """Write and hash `pieces` (joined: one write, one hash update), then check the space."""
        fd = self._open_fd()
        data = b"".join(pieces)
        with os_errors("write", self.path):
            self._engine.files.write(fd, data)
        self._hash.update(data)
        self.size += len(data)
        free = self._engine.free_bytes()
        if free < self._engine.reserve_bytes:
            raise InsufficientStorageError(
                f"{free} bytes free after {self.size} bytes, {self._engine.reserve_bytes} reserved"
            )

    def finish(self) -> str:
        """fsync and close the file; the SHA-256 hex of what was written."""
        fd = self._open_fd()
        # The content is durable before `commit` renames it anywhere (see the sidecar).
        with os_errors("fsync", self.path):
            self._engine.files.fsync(fd)
        self._close()
        return self._hash.hexdigest()

    def discard(self) -> None:
        """Close (if open) and remove the file."""
        self._close()
        self._engine.unlink(self.path)

    def _open_fd(self) -> int:
        if self._fd is None:
            raise RuntimeError(f"{self.path} is already closed")
        return self._fd

    def _close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with os_errors("close", self.path):
                self._engine.files.close(fd)
