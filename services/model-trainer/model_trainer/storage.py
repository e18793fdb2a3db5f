"""Corpora and artifacts through data-bank-api: streamed, verified, cached on local disk.

- A corpus is fetched once into `<artifacts>/corpus_cache/<file_id>.txt` (data-bank ids
  are SHA-256s, and the client checks the bytes against it), refused when larger than
  the configured limit.
- A directory (a run's model, a tokenizer) travels as a `.tar.gz` with one root
  directory. Fetching one that is already on local disk does nothing; otherwise it is
  downloaded, its members checked (no absolute paths, no `..`, only files and
  directories under the expected root) and extracted into a temporary directory that is
  renamed into place, so a half-extracted directory is never seen.

Failures are `StorageError`s with `kind`: `user` when the client named something that
does not exist (or is too large), `system` when data-bank-api failed.
"""

import tarfile
import tempfile
from collections.abc import Awaitable
from pathlib import Path, PurePosixPath
from typing import Literal, TypeVar

from model_trainer.jobs import ArtifactRef
from platform_core.blocking import run_blocking
from platform_core.data_bank_client import DataBankClient, DataBankError, NotFoundError

ErrorKind = Literal["user", "system"]
TARBALL_TYPE = "application/gzip"


class StorageError(Exception):
    """A corpus or artifact could not be fetched or stored."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message


def pack(directory: Path, root: str, tarball: Path) -> None:
    """`directory` as a gzipped tarball whose single top-level directory is `root`."""
    with tarfile.open(tarball, "w:gz") as archive:
        archive.add(directory, arcname=root)


def _checked_members(archive: tarfile.TarFile, root: str) -> list[tarfile.TarInfo]:
    members = archive.getmembers()
    for member in members:
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or path.parts[:1] != (root,):
            raise StorageError("system", f"tarball member {member.name!r} is outside {root!r}")
        if not (member.isfile() or member.isdir()):
            raise StorageError("system", f"tarball member {member.name!r} is not a file")
    return members


def unpack(tarball: Path, root: str, dest: Path) -> None:
    """Extract `tarball` (single root `root`) so that its root becomes `dest`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as scratch:
        try:
            with tarfile.open(tarball, "r:gz") as archive:
                archive.extractall(scratch, members=_checked_members(archive, root))
        except tarfile.TarError as exc:
            raise StorageError("system", f"not a tarball: {exc}") from exc
        extracted = Path(scratch) / root
        if not extracted.is_dir():
            raise StorageError("system", f"the tarball has no directory {root!r}")
        if not dest.exists():
            extracted.rename(dest)


class CorpusNotFoundError(StorageError):
    """data-bank-api has no file with the corpus's id."""

    def __init__(self, file_id: str) -> None:
        super().__init__("user", f"corpus {file_id} not found")


class CorpusTooLargeError(StorageError):
    """The corpus is larger than `TRAINER_MAX_CORPUS_BYTES`."""

    def __init__(self, file_id: str, size: int, limit: int) -> None:
        super().__init__("user", f"corpus {file_id} has {size} bytes, over the limit of {limit}")


T = TypeVar("T")


async def _corpus_call(file_id: str, call: Awaitable[T]) -> T:
    """A data-bank call about a corpus: 404 is the client's mistake, the rest system."""
    try:
        return await call
    except NotFoundError as exc:
        raise CorpusNotFoundError(file_id) from exc
    except DataBankError as exc:
        raise StorageError("system", f"corpus fetch failed: {exc}") from exc


class Store:
    """Corpora and artifact directories in data-bank-api."""

    def __init__(self, bank: DataBankClient, *, max_corpus_bytes: int) -> None:
        self._bank = bank
        self._max_corpus_bytes = max_corpus_bytes

    async def corpus_size(self, file_id: str) -> int:
        """The size of a corpus, or `StorageError` (user) when it does not exist or is too
        large."""
        head = await _corpus_call(file_id, self._bank.head(file_id))
        if head.size > self._max_corpus_bytes:
            raise CorpusTooLargeError(file_id, head.size, self._max_corpus_bytes)
        return head.size

    async def fetch_corpus(self, file_id: str, cache: Path) -> str:
        """The corpus's text, from the cache or downloaded (verified) into it."""
        path = cache / f"{file_id}.txt"
        if not await run_blocking(path.is_file):
            await self.corpus_size(file_id)
            await run_blocking(cache.mkdir, parents=True, exist_ok=True)
            # A private download replaced into place: concurrent fetches of one corpus
            # (jobs, worker processes) never share a partial file.
            with tempfile.TemporaryDirectory(dir=cache) as scratch:
                download = Path(scratch) / "corpus.txt"
                await _corpus_call(file_id, self._bank.download_to_path(file_id, download))
                await run_blocking(download.replace, path)
        raw = await run_blocking(path.read_bytes)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StorageError("user", f"corpus {file_id} is not UTF-8 text") from exc

    async def upload_dir(self, directory: Path, root: str) -> ArtifactRef:
        """Store `directory` as a tarball with root `root`."""
        with tempfile.TemporaryDirectory() as scratch:
            tarball = Path(scratch) / f"{root}.tar.gz"
            await run_blocking(pack, directory, root, tarball)
            try:
                stored = await self._bank.upload_file(tarball, content_type=TARBALL_TYPE)
            except DataBankError as exc:
                raise StorageError("system", f"artifact upload failed: {exc}") from exc
        return ArtifactRef(file_id=stored.file_id, size=stored.size, root=root)

    async def ensure_dir(self, artifact: ArtifactRef, dest: Path) -> Path:
        """`dest`, downloaded and extracted from `artifact` unless it is already there."""
        if await run_blocking(dest.is_dir):
            return dest
        with tempfile.TemporaryDirectory() as scratch:
            tarball = Path(scratch) / "artifact.tar.gz"
            try:
                await self._bank.download_to_path(artifact.file_id, tarball)
            except DataBankError as exc:
                raise StorageError("system", f"artifact download failed: {exc}") from exc
            await run_blocking(unpack, tarball, artifact.root, dest)
        return dest
