"""Shared fixtures: a data root, a store on it, and collaborators that fail on request."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from data_bank_api.storage import Storage, StorageConfig
from data_bank_testing.faults import GIB, FaultyFiles, FreeSpace
from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["redis_server", "redis_url"]


@pytest.fixture()
def data_root(tmp_path: Path) -> Path:
    """An empty directory for a data root (not created yet)."""
    return tmp_path / "data" / "files"


@pytest.fixture()
def faulty_files() -> FaultyFiles:
    """A file layer to arm faults on."""
    return FaultyFiles()


@pytest.fixture()
def free_space() -> FreeSpace:
    """A free-space probe the test controls (100 GiB free unless changed)."""
    return FreeSpace()


@pytest.fixture()
async def storage(
    data_root: Path, faulty_files: FaultyFiles, free_space: FreeSpace
) -> AsyncIterator[Storage]:
    """A started store on `data_root` with the faulty file layer and the fake probe."""
    store = Storage(
        StorageConfig(
            root=data_root,
            reserve_bytes=GIB,
            max_file_bytes=1024 * 1024,
            chunk_bytes=64 * 1024,
            files=faulty_files,
            free_space=free_space,
        )
    )
    await store.start()
    yield store
    await store.close()
