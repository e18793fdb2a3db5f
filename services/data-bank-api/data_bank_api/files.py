"""The file layer: every filesystem call the storage engine makes, behind one Protocol.

`OsFiles` is the real implementation (plain `os` calls, blocking: the engine runs them
in worker threads). Tests pass a subclass that fails or stops at a chosen call (a full
disk on `write`, a crash before `rename`) to prove what is left behind.
"""

import os
import stat
from pathlib import Path
from typing import Protocol

FILE_MODE = 0o644


class FileLayer(Protocol):
    """The filesystem operations of the storage engine (all blocking)."""

    def create(self, path: Path) -> int:
        """Create `path` exclusively for writing; its file descriptor."""
        ...

    def write(self, fd: int, data: bytes) -> None:
        """Write all of `data` at the current position."""
        ...

    def fsync(self, fd: int) -> None:
        """Flush the file's data and metadata to stable storage."""
        ...

    def close(self, fd: int) -> None:
        """Close a descriptor."""
        ...

    def open_read(self, path: Path) -> int:
        """Open `path` for reading (`FileNotFoundError` when missing)."""
        ...

    def pread(self, fd: int, size: int, offset: int) -> bytes:
        """Up to `size` bytes at `offset` (fewer only at the end of the file)."""
        ...

    def fstat_size(self, fd: int) -> int:
        """The size of an open file."""
        ...

    def stat_size(self, path: Path) -> int | None:
        """The size of the regular file at `path`, or None when there is none."""
        ...

    def read_bytes(self, path: Path, limit: int) -> bytes | None:
        """At most `limit` bytes of a small file, or None when it does not exist."""
        ...

    def rename(self, source: Path, target: Path) -> None:
        """Atomically rename `source` to `target`, replacing it."""
        ...

    def unlink(self, path: Path) -> bool:
        """Remove a file; False when it did not exist."""
        ...

    def fsync_dir(self, path: Path) -> None:
        """Make the directory's entries (renames, creations, removals) durable."""
        ...

    def make_dir(self, path: Path) -> bool:
        """Create one directory level; False when it already existed."""
        ...

    def list_dir(self, path: Path) -> list[str]:
        """The names in a directory (empty when it does not exist)."""
        ...

    def is_dir(self, path: Path) -> bool:
        """Whether `path` is a directory."""
        ...


class OsFiles:
    """`FileLayer` on the operating system."""

    def create(self, path: Path) -> int:
        """Create `path` exclusively for writing (mode 0644); its file descriptor."""
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)

    def write(self, fd: int, data: bytes) -> None:
        """Write all of `data` (looping over short writes)."""
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]

    def fsync(self, fd: int) -> None:
        """`fsync(2)`."""
        os.fsync(fd)

    def close(self, fd: int) -> None:
        """`close(2)`."""
        os.close(fd)

    def open_read(self, path: Path) -> int:
        """Open `path` read-only."""
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)

    def pread(self, fd: int, size: int, offset: int) -> bytes:
        """`pread(2)` (a regular file reads short only at its end)."""
        return os.pread(fd, size, offset)

    def fstat_size(self, fd: int) -> int:
        """The size of an open file."""
        return os.fstat(fd).st_size

    def stat_size(self, path: Path) -> int | None:
        """The size of the regular file at `path`, or None when there is none."""
        try:
            status = os.stat(path)
        except FileNotFoundError:
            return None
        return status.st_size if stat.S_ISREG(status.st_mode) else None

    def read_bytes(self, path: Path, limit: int) -> bytes | None:
        """At most `limit` bytes of a file, or None when it does not exist."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        try:
            return os.read(fd, limit)
        finally:
            os.close(fd)

    def rename(self, source: Path, target: Path) -> None:
        """`rename(2)` (atomic within one filesystem)."""
        os.replace(source, target)

    def unlink(self, path: Path) -> bool:
        """Remove a file; False when it did not exist."""
        try:
            os.unlink(path)
        except FileNotFoundError:
            return False
        return True

    def fsync_dir(self, path: Path) -> None:
        """Open the directory and fsync it."""
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def make_dir(self, path: Path) -> bool:
        """Create one directory level; False when it already existed."""
        try:
            os.mkdir(path)
        except FileExistsError:
            if not os.path.isdir(path):
                raise
            return False
        return True

    def list_dir(self, path: Path) -> list[str]:
        """The names in a directory (empty when it does not exist)."""
        try:
            return sorted(os.listdir(path))
        except FileNotFoundError:
            return []

    def is_dir(self, path: Path) -> bool:
        """Whether `path` is a directory."""
        return os.path.isdir(path)


OS_FILES = OsFiles()
