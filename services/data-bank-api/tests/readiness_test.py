"""The storage readiness checks."""

from pathlib import Path

import pytest

from data_bank_api.readiness import free_space_above_reserve, storage_writable
from data_bank_api.storage import Storage, StorageConfig
from platform_core.health import NotReadyError


def broken_probe(path: Path) -> int:
    raise OSError(5, "Input/output error", str(path))


async def test_a_free_space_probe_that_fails_is_not_writable(data_root: Path) -> None:
    storage = Storage(StorageConfig(root=data_root, reserve_bytes=0, free_space=broken_probe))
    with pytest.raises(NotReadyError, match="storage not writable"):
        await free_space_above_reserve(storage)()


async def test_a_missing_root_is_not_writable(data_root: Path) -> None:
    storage = Storage(StorageConfig(root=data_root, reserve_bytes=0))
    with pytest.raises(NotReadyError, match="storage not writable"):
        await storage_writable(storage)()
    await storage.start()
    await storage_writable(storage)()
    await free_space_above_reserve(storage)()
