"""Collaborators that fail on request: a file layer and a free-space probe.

`FaultyFiles` is the real file layer (`OsFiles`) that logs every call and raises the
errors armed with `fail` at the chosen call; `FreeSpace` is a probe whose answer the
test sets. They inject faults only: everything else is the real filesystem.
"""

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from data_bank_api.files import OsFiles

GIB = 1024**3


@dataclass(slots=True)
class Fault:
    """At the `after`-th next call of `operation` (0: the next one) on a subject containing
    `path_contains`: run `action` (if any), then raise `error` (if any)."""

    operation: str
    error: BaseException | None
    after: int = 0
    path_contains: str = ""
    action: Callable[[], None] | None = None
    once_done: bool = False
    """Run `action` once the call has returned instead of before it."""


@dataclass(slots=True)
class FaultyFiles(OsFiles):
    """The real file layer, except for the faults armed with `fail`; it logs every call."""

    faults: list[Fault] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def fail(
        self, operation: str, error: BaseException, *, after: int = 0, path_contains: str = ""
    ) -> None:
        """Make a future call of `operation` raise `error`."""
        self.faults.append(Fault(operation, error, after, path_contains))

    def before(
        self,
        operation: str,
        action: Callable[[], None],
        *,
        after: int = 0,
        path_contains: str = "",
    ) -> None:
        """Run `action` just before a future call of `operation` (then make the call)."""
        self.faults.append(Fault(operation, None, after, path_contains, action))

    def once_done(
        self,
        operation: str,
        action: Callable[[], None],
        *,
        after: int = 0,
        path_contains: str = "",
    ) -> None:
        """Run `action` just after a future call of `operation` has returned."""
        self.faults.append(Fault(operation, None, after, path_contains, action, once_done=True))

    def _call(self, operation: str, subject: object) -> None:
        self.calls.append((operation, str(subject)))
        self._trigger(operation, subject, done=False)

    def _done(self, operation: str, subject: object) -> None:
        self._trigger(operation, subject, done=True)

    def _trigger(self, operation: str, subject: object, *, done: bool) -> None:
        for fault in self.faults:
            if (
                fault.once_done != done
                or fault.operation != operation
                or fault.path_contains not in str(subject)
            ):
                continue
            if fault.after > 0:
                fault.after -= 1
                continue
            self.faults.remove(fault)
            if fault.action is not None:
                fault.action()
            if fault.error is not None:
                raise fault.error
            return

    def operations(self, operation: str) -> list[str]:
        """The subjects of the logged calls of `operation`."""
        return [subject for name, subject in self.calls if name == operation]

    def create(self, path: Path) -> int:
        self._call("create", path)
        result = OsFiles.create(self, path)
        self._done("create", path)
        return result

    def write(self, fd: int, data: bytes) -> None:
        self._call("write", fd)
        OsFiles.write(self, fd, data)
        self._done("write", fd)

    def fsync(self, fd: int) -> None:
        self._call("fsync", fd)
        OsFiles.fsync(self, fd)
        self._done("fsync", fd)

    def close(self, fd: int) -> None:
        self._call("close", fd)
        OsFiles.close(self, fd)
        self._done("close", fd)

    def open_read(self, path: Path) -> int:
        self._call("open_read", path)
        result = OsFiles.open_read(self, path)
        self._done("open_read", path)
        return result

    def pread(self, fd: int, size: int, offset: int) -> bytes:
        self._call("pread", fd)
        result = OsFiles.pread(self, fd, size, offset)
        self._done("pread", fd)
        return result

    def fstat_size(self, fd: int) -> int:
        self._call("fstat_size", fd)
        result = OsFiles.fstat_size(self, fd)
        self._done("fstat_size", fd)
        return result

    def stat_size(self, path: Path) -> int | None:
        self._call("stat_size", path)
        result = OsFiles.stat_size(self, path)
        self._done("stat_size", path)
        return result

    def read_bytes(self, path: Path, limit: int) -> bytes | None:
        self._call("read_bytes", path)
        result = OsFiles.read_bytes(self, path, limit)
        self._done("read_bytes", path)
        return result

    def rename(self, source: Path, target: Path) -> None:
        self._call("rename", f"{source} -> {target}")
        OsFiles.rename(self, source, target)
        self._done("rename", f"{source} -> {target}")

    def unlink(self, path: Path) -> bool:
        self._call("unlink", path)
        result = OsFiles.unlink(self, path)
        self._done("unlink", path)
        return result

    def fsync_dir(self, path: Path) -> None:
        self._call("fsync_dir", path)
        OsFiles.fsync_dir(self, path)
        self._done("fsync_dir", path)

    def make_dir(self, path: Path) -> bool:
        self._call("make_dir", path)
        result = OsFiles.make_dir(self, path)
        self._done("make_dir", path)
        return result

    def list_dir(self, path: Path) -> list[str]:
        self._call("list_dir", path)
        result = OsFiles.list_dir(self, path)
        self._done("list_dir", path)
        return result


def disk_full() -> OSError:
    """The error a full disk gives."""
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def io_error() -> OSError:
    """An I/O error that is not about space."""
    return OSError(errno.EIO, os.strerror(errno.EIO))


@dataclass(slots=True)
class FreeSpace:
    """A free-space probe whose answer the test sets (or that follows a script)."""

    free: int = 100 * GIB
    script: list[int] = field(default_factory=list)

    def __call__(self, path: Path) -> int:
        if self.script:
            return self.script.pop(0)
        return self.free
