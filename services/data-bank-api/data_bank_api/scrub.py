"""The integrity scrub: re-hash every stored object and report what is wrong.

It reads only; it repairs nothing (a corrupt object is for an operator to restore or
delete). Problems reported:

- `corrupt`: the blob's content does not hash to its id;
- `metadata_missing` / `metadata_invalid`: the blob's sidecar is absent or unusable;
- `orphaned_metadata`: a sidecar without a blob;
- `unexpected_file`: a name in the object tree that the store never writes.

Objects added or removed while the scrub runs are taken as they are found: a blob
gone by the time it is read is skipped, a sidecar whose blob appeared meanwhile is fine.
"""

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

from data_bank_api.engine import Engine, os_errors
from data_bank_api.layout import BLOB_SUFFIX, META_SUFFIX, is_shard_name
from data_bank_api.metadata import ObjectMeta
from data_bank_api.storage_errors import translate_os_error
from platform_core.blocking import run_blocking

Problem = Literal[
    "corrupt", "metadata_missing", "metadata_invalid", "orphaned_metadata", "unexpected_file"
]
_OBJECT_NAME = re.compile(r"([0-9a-f]{64})(\.bin|\.meta)")
HASH_CHUNK_BYTES = 1024 * 1024


class Finding(BaseModel):
    """One problem: which object (if the name says), where, what, and the details."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file_id: str | None
    path: str
    problem: Problem
    detail: str


class ScrubReport(BaseModel):
    """The scrub's result."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    objects_checked: int
    bytes_checked: int
    findings: list[Finding]


@dataclass(slots=True)
class _Inventory:
    objects: set[str] = field(default_factory=set)
    unexpected: list[str] = field(default_factory=list)


ProgressCallback = Callable[[int, int], Awaitable[None]]
"""Called after each object with (objects checked, objects in total)."""


class Scrubber:
    """Scrubs the objects of one data root (the engine's layout and file layer)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _relative(self, *parts: str) -> str:
        return "/".join(parts)

    def inventory(self) -> _Inventory:
        """Every object id with the suffixes found for it, and the unexpected names."""
        files = self._engine.files
        root = self._engine.layout.root
        found = _Inventory()
        for top in files.list_dir(root):
            if not is_shard_name(top) or not files.is_dir(root / top):
                continue
            for second in files.list_dir(root / top):
                shard = root / top / second
                if not is_shard_name(second) or not files.is_dir(shard):
                    found.unexpected.append(self._relative(top, second))
                    continue
                for name in files.list_dir(shard):
                    match = _OBJECT_NAME.fullmatch(name)
                    file_id: str = "" if match is None else match.group(1)
                    if not file_id.startswith(top + second):
                        found.unexpected.append(self._relative(top, second, name))
                        continue
                    found.objects.add(file_id)
        return found

    def check(self, file_id: str) -> tuple[int, list[Finding]]:
        """Check one object as it is now; the bytes hashed and the problems found."""
        engine = self._engine
        layout = engine.layout
        where = self._relative(file_id[0:2], file_id[2:4], file_id)
        if engine.files.stat_size(layout.blob(file_id)) is None:
            if engine.files.stat_size(layout.meta(file_id)) is None:
                return 0, []
            orphan = Finding(
                file_id=file_id,
                path=where + META_SUFFIX,
                problem="orphaned_metadata",
                detail="a sidecar without a blob",
            )
            return 0, [orphan]
        size, digest = self._hash(file_id)
        if digest is None:
            return 0, []
        findings: list[Finding] = []
        if digest != file_id:
            findings.append(
                Finding(
                    file_id=file_id,
                    path=where + BLOB_SUFFIX,
                    problem="corrupt",
                    detail=f"the content ({size} bytes) hashes to {digest}",
                )
            )
        meta = engine.inspect_meta(file_id)
        if meta is None:
            findings.append(
                Finding(
                    file_id=file_id,
                    path=where + META_SUFFIX,
                    problem="metadata_missing",
                    detail="a blob without its sidecar",
                )
            )
        elif not isinstance(meta, ObjectMeta):
            findings.append(
                Finding(
                    file_id=file_id,
                    path=where + META_SUFFIX,
                    problem="metadata_invalid",
                    detail=meta,
                )
            )
        return size, findings

    def _hash(self, file_id: str) -> tuple[int, str | None]:
        files = self._engine.files
        blob = self._engine.layout.blob(file_id)
        try:
            fd = files.open_read(blob)
        except FileNotFoundError:
            return 0, None
        except OSError as exc:
            raise translate_os_error("open", blob, exc) from exc
        digest = hashlib.sha256()
        size = 0
        try:
            with os_errors("read", blob):
                while data := files.pread(fd, HASH_CHUNK_BYTES, size):
                    digest.update(data)
                    size += len(data)
        finally:
            files.close(fd)
        return size, digest.hexdigest()

    async def run(self, on_progress: ProgressCallback) -> ScrubReport:
        """Scrub everything; `on_progress` after each object."""
        found: _Inventory = await run_blocking(self.inventory)
        findings = [
            Finding(file_id=None, path=path, problem="unexpected_file", detail="not a store file")
            for path in found.unexpected
        ]
        total = len(found.objects)
        hashed = 0
        for number, file_id in enumerate(sorted(found.objects), start=1):
            result: tuple[int, list[Finding]] = await run_blocking(self.check, file_id)
            hashed += result[0]
            findings += result[1]
            await on_progress(number, total)
        return ScrubReport(objects_checked=total, bytes_checked=hashed, findings=findings)
