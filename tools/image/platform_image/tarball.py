"""Deterministic layer blobs: the bytes depend only on the entries, never on the clock or host.

A layer is a tar stream (PAX format) compressed with gzip. Every header the writer
emits has mtime 0 and no user or group names; gzip's header carries no name and
mtime 0. `LayerWriter` hashes both streams while writing, so one pass yields the
blob, its digest (sha256 of the gzip bytes) and its diff_id (sha256 of the tar).
Only the standard library is used: the Debian base is built with it in a
repository rule, before any third-party package is installed.
"""

import dataclasses
import gzip
import hashlib
import json
import tarfile
from types import TracebackType
from typing import IO, BinaryIO, Self

from typing_extensions import Buffer

COMPRESS_LEVEL = 6
TAR_FORMAT = tarfile.PAX_FORMAT


@dataclasses.dataclass(frozen=True)
class LayerDigest:
    """What an image needs to know about one layer blob."""

    digest: str
    diff_id: str
    size: int
    uncompressed_size: int

    def to_json(self) -> str:
        """The descriptor file's content (sorted keys, so it is stable too)."""
        fields = {
            "digest": self.digest,
            "diff_id": self.diff_id,
            "size": self.size,
            "uncompressed_size": self.uncompressed_size,
        }
        return json.dumps(fields, sort_keys=True) + "\n"


class _HashingSink:
    """Where the gzip stream goes: `out`, hashed and counted on the way."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self._out.write(data)

    def flush(self) -> None:
        self._out.flush()


class _HashingGzip(gzip.GzipFile):
    """gzip that also hashes and counts what it compresses (the tar stream)."""

    def __init__(self, sink: _HashingSink, compresslevel: int) -> None:
        super().__init__(filename="", mode="wb", compresslevel=compresslevel, fileobj=sink, mtime=0)
        self.tar_hash = hashlib.sha256()
        self.tar_size = 0

    def write(self, data: Buffer) -> int:
        view = memoryview(data)
        self.tar_hash.update(view)
        self.tar_size += view.nbytes
        return super().write(view)


def directory(path: str, *, mode: int = 0o755, uid: int = 0, gid: int = 0) -> tarfile.TarInfo:
    """A directory entry."""
    info = tarfile.TarInfo(path)
    info.type = tarfile.DIRTYPE
    info.mode = mode
    info.uid, info.gid = uid, gid
    return info


def regular(path: str, size: int, *, mode: int = 0o644) -> tarfile.TarInfo:
    """A regular file entry owned by root (its content follows in `LayerWriter.add`)."""
    info = tarfile.TarInfo(path)
    info.size = size
    info.mode = mode
    return info


def symlink(path: str, target: str) -> tarfile.TarInfo:
    """A symbolic link entry."""
    info = tarfile.TarInfo(path)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    info.mode = 0o777
    return info


def normalized(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """A copy without what varies between hosts: names of users and groups, PAX extras.

    Paths lose a leading `./` (hard link targets too); the mtime is kept (0 for our
    entries; mmdebstrap clamps the Debian base's to SOURCE_DATE_EPOCH, 0).
    """
    out = tarfile.TarInfo(info.name.removeprefix("./"))
    out.type = info.type
    out.mode = info.mode
    out.uid, out.gid = info.uid, info.gid
    out.size = info.size if info.isreg() else 0
    out.mtime = info.mtime
    out.linkname = info.linkname.removeprefix("./") if info.islnk() else info.linkname
    out.devmajor, out.devminor = info.devmajor, info.devminor
    return out


class LayerWriter:
    """Writes one layer blob to `out`; `finish()` closes it and returns its digests."""

    def __init__(self, out: BinaryIO, *, compresslevel: int = COMPRESS_LEVEL) -> None:
        self._blob = _HashingSink(out)
        self._gzip = _HashingGzip(self._blob, compresslevel)
        self._tar = tarfile.TarFile(fileobj=self._gzip, mode="w", format=TAR_FORMAT)
        self._result: LayerDigest | None = None

    def add(self, info: tarfile.TarInfo, content: IO[bytes] | None = None) -> None:
        """Append one entry (normalized first); `content` is required for regular files."""
        if info.isreg() and content is None:
            raise ValueError(f"regular file {info.name} needs its content")
        self._tar.addfile(normalized(info), content)

    def finish(self) -> LayerDigest:
        """End the tar and gzip streams; the digests of what was written."""
        if self._result is None:
            self._tar.close()
            self._gzip.close()
            self._blob.flush()
            self._result = LayerDigest(
                digest="sha256:" + self._blob.hash.hexdigest(),
                diff_id="sha256:" + self._gzip.tar_hash.hexdigest(),
                size=self._blob.size,
                uncompressed_size=self._gzip.tar_size,
            )
        return self._result

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.finish()


__all__ = [
    "COMPRESS_LEVEL",
    "LayerDigest",
    "LayerWriter",
    "directory",
    "normalized",
    "regular",
    "symlink",
]
