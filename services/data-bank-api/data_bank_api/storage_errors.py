"""What can go wrong in the storage engine, one precise exception each.

They know nothing of HTTP; `api.errors` maps each to its status and message.
"""

import errno
from pathlib import Path

_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


class StorageError(Exception):
    """Base of the storage engine's errors."""


class ObjectNotFoundError(StorageError):
    """No object is stored under this id."""

    def __init__(self, file_id: str) -> None:
        super().__init__(f"file not found: {file_id}")
        self.file_id = file_id


class MetadataMissingError(StorageError):
    """The object's content exists but its sidecar does not (damage from outside)."""

    def __init__(self, file_id: str) -> None:
        super().__init__(f"metadata missing for {file_id}")
        self.file_id = file_id


class MetadataCorruptError(StorageError):
    """The object's sidecar cannot be read as metadata of this object."""

    def __init__(self, file_id: str, detail: str) -> None:
        super().__init__(f"metadata incomplete for {file_id}: {detail}")
        self.file_id = file_id
        self.detail = detail


class InsufficientStorageError(StorageError):
    """Free space is (or would fall) below the reserve, or the disk reported itself full."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"insufficient free space: {detail}")
        self.detail = detail


class FileTooLargeError(StorageError):
    """The upload is larger than the configured maximum."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"file too large: the maximum is {limit} bytes")
        self.limit = limit


class StorageIOError(StorageError):
    """A filesystem call failed for a reason other than a full disk."""

    def __init__(self, operation: str, path: Path, cause: OSError) -> None:
        super().__init__(f"{operation} {path} failed: {cause.strerror or cause}")
        self.operation = operation
        self.path = path


def translate_os_error(operation: str, path: Path, cause: OSError) -> StorageError:
    """ENOSPC/EDQUOT is `InsufficientStorageError`; anything else `StorageIOError`."""
    if cause.errno in _FULL:
        return InsufficientStorageError(f"{operation} {path}: {cause.strerror}")
    return StorageIOError(operation, path, cause)
