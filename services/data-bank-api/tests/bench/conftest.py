"""Fixtures of the benchmark's tests: a real Redis and a running server."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from data_bank_testing.processes import ServerProcess
from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["redis_server", "redis_url"]

UPLOAD_KEY, READ_KEY = "bench-up", "bench-read"


@pytest.fixture()
def server(redis_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """The server binary, with an upload key that does not read."""
    env = {
        "REDIS_URL": redis_url,
        "API_UPLOAD_KEYS": UPLOAD_KEY,
        "API_READ_KEYS": READ_KEY,
        "DATA_ROOT": str(tmp_path / "data"),
        "MIN_FREE_GB": "0",
    }
    with ServerProcess(env) as running:
        yield running
        running.stop()
