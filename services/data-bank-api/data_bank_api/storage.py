"""The storage engine's async interface: streaming uploads, ranged reads, deletes.

```
storage = Storage(StorageConfig(root=Path("/data/files"), reserve_bytes=1 << 30))
await storage.start()                        # creates the root, cleans up after a crash
async with storage.upload(expected_bytes=n) as upload:
    async for chunk in body:
        await upload.write(chunk)
    committed = await upload.commit("text/plain")   # visible from here on
```

Blocking filesystem calls run in worker threads (`engine.Engine` has the steps and the
crash-safety argument). Memory stays flat whatever the size: an upload buffers at most
`chunk_bytes` before handing them to a thread that writes and hashes them. Changes to
one object (commit, delete) are serialised by a per-id lock; one server process owns a
data root.
"""

from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import ParamSpec, TypeVar

from data_bank_api.engine import Committed, Engine, Recovery, StoredFile, TempBlob
from data_bank_api.files import OS_FILES, FileLayer
from data_bank_api.free_space import FreeSpaceProbe, statvfs_free_bytes
from data_bank_api.keyed_lock import KeyedLock
from data_bank_api.layout import Layout
from data_bank_api.storage_errors import FileTooLargeError
from platform_core.blocking import run_blocking, run_in

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_CHUNK_BYTES = 1024 * 1024
DEFAULT_IO_THREADS = 32


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class StorageConfig:
    """Where and how to store: the data root, the limits and the injectable collaborators.

    `max_file_bytes=None` means no size limit. `io_threads` run the blocking calls (many
    uploads fsync at once; the filesystem commits them together). `files` and
    `free_space` are the real filesystem unless a test injects faults.
    """

    root: Path
    reserve_bytes: int
    max_file_bytes: int | None = None
    chunk_bytes: int = DEFAULT_CHUNK_BYTES
    io_threads: int = DEFAULT_IO_THREADS
    files: FileLayer = field(default=OS_FILES)
    free_space: FreeSpaceProbe = field(default=statvfs_free_bytes)
    clock: Callable[[], datetime] = field(default=utc_now)


class Storage:
    """A content-addressed object store on one data root."""

    def __init__(self, config: StorageConfig) -> None:
        if config.max_file_bytes is not None and config.max_file_bytes < 0:
            raise ValueError("max_file_bytes cannot be negative")
        if config.chunk_bytes < 1:
            raise ValueError("chunk_bytes must be positive")
        if config.io_threads < 1:
            raise ValueError("io_threads must be positive")
        self.config = config
        self.engine = Engine(
            Layout(config.root),
            files=config.files,
            free_space=config.free_space,
            reserve_bytes=config.reserve_bytes,
        )
        self._locks = KeyedLock()
        self._threads = ThreadPoolExecutor(config.io_threads, thread_name_prefix="databank-io")

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A blocking call in the store's threads (see `platform_core.blocking.run_in`)."""
        return await run_in(self._threads, function, *args, **kwargs)

    async def close(self) -> None:
        """Wait for the blocking calls in progress and stop the threads."""
        await run_blocking(self._threads.shutdown)

    @property
    def layout(self) -> Layout:
        """The paths under the data root."""
        return self.engine.layout

    async def start(self) -> Recovery:
        """Create the data root, finish or undo what a crash interrupted, empty `tmp/`."""
        return await self.run(self.engine.recover)

    async def check_space(self, incoming: int = 0) -> None:
        """`InsufficientStorageError` unless `incoming` more bytes leave the reserve free."""
        await self.run(self.engine.check_space, incoming)

    async def free_bytes(self) -> int:
        """Bytes free on the data root's filesystem."""
        return await self.run(self.engine.free_bytes)

    async def probe_writable(self) -> None:
        """Write, fsync and remove a probe file (readiness)."""
        await self.run(self.engine.probe_writable)

    def upload(self, *, expected_bytes: int = 0) -> "Upload":
        """A new upload (use with `async with`); `expected_bytes` for the space check."""
        return Upload(self, expected_bytes)

    async def describe(self, file_id: str) -> StoredFile:
        """The stored object's description (`ObjectNotFoundError` when there is none)."""
        return await self.run(self.engine.describe, file_id)

    async def open(self, file_id: str) -> "OpenBlob":
        """The object, opened for reading (`close()` it)."""
        opened: tuple[int, StoredFile] = await self.run(self.engine.open_blob, file_id)
        return OpenBlob(self, *opened)

    async def delete(self, file_id: str) -> bool:
        """Remove the object; whether anything was stored under `file_id`."""
        async with self._locks.hold(file_id):
            return await self.run(self.engine.delete, file_id)

    async def _commit(self, temp: Path, sha256: str, size: int, content_type: str) -> Committed:
        async with self._locks.hold(sha256):
            return await self.run(
                self.engine.commit,
                temp,
                sha256=sha256,
                size=size,
                content_type=content_type,
                now=self.config.clock(),
            )


class Upload:
    """One upload: `write` the content, then `commit`; leaving the block without a
    commit (an error, a disconnect, a cancellation) removes every byte written."""

    def __init__(self, storage: Storage, expected_bytes: int) -> None:
        self._storage = storage
        self._expected = expected_bytes
        self._temp: TempBlob | None = None
        self._pending: list[bytes | memoryview] = []
        self._pending_bytes = 0
        self._received = 0
        self._committed: Committed | None = None

    async def __aenter__(self) -> "Upload":
        engine = self._storage.engine
        await self._storage.run(engine.check_space, self._expected)
        self._temp = await self._storage.run(TempBlob, engine)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        temp, self._temp = self._temp, None
        if temp is not None and self._committed is None:
            await self._storage.run(temp.discard)

    @property
    def received(self) -> int:
        """Bytes written so far."""
        return self._received

    def _open_temp(self) -> TempBlob:
        if self._temp is None or self._committed is not None:
            raise RuntimeError("the upload is not open (use `async with`, commit once)")
        return self._temp

    async def write(self, data: bytes | memoryview) -> None:
        """Add `data` to the file; `FileTooLargeError` past the maximum size.

        `data` is kept (not copied) until the next flush: it must not change meanwhile.
        """
        temp = self._open_temp()
        limit = self._storage.config.max_file_bytes
        if limit is not None and self._received + len(data) > limit:
            raise FileTooLargeError(limit)
        self._received += len(data)
        self._pending.append(data)
        self._pending_bytes += len(data)
        if self._pending_bytes >= self._storage.config.chunk_bytes:
            await self._flush(temp)

    async def _flush(self, temp: TempBlob) -> None:
        if self._pending_bytes:
            pending = self._pending
            self._pending = []
            self._pending_bytes = 0
            await self._storage.run(temp.append, pending)

    async def commit(self, content_type: str) -> Committed:
        """Make the file durable and visible under its SHA-256 (or find it already stored).

        `content_type` is recorded for a new object; an existing one keeps its metadata.
        """
        temp = self._open_temp()
        await self._flush(temp)
        sha256 = await self._storage.run(temp.finish)
        committed = await self._storage._commit(temp.path, sha256, temp.size, content_type)
        self._committed = committed
        return committed


class OpenBlob:
    """A stored object opened for reading; `chunks` streams a byte range of it."""

    def __init__(self, storage: Storage, fd: int, stored: StoredFile) -> None:
        self._storage = storage
        self._fd: int | None = fd
        self.stored = stored

    async def chunks(self, start: int, length: int) -> AsyncIterator[bytes]:
        """`length` bytes from `start`, in chunks of at most `chunk_bytes`.

        Stops early if the file turns out shorter (it cannot change under its id, so
        only outside damage does that).
        """
        chunk_bytes = self._storage.config.chunk_bytes
        engine = self._storage.engine
        position, end = start, start + length
        while position < end:
            fd = self._fd
            if fd is None:
                raise RuntimeError("the blob is closed")
            data = await self._storage.run(
                engine.read, fd, min(chunk_bytes, end - position), position
            )
            if not data:
                return
            position += len(data)
            yield data

    async def close(self) -> None:
        """Close the descriptor (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            await self._storage.run(self._storage.engine.close, fd)
