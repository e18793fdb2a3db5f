"""Fixtures of the benchmark's tests: a real Redis and the server binary running."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from platform_core.loadgen import (
    LOOPBACK,
    ChildServer,
    child_server,
    free_port,
    inherited_env,
    python_module,
)
from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["redis_server", "redis_url"]

UPLOAD_KEY, READ_KEY = "bench-up", "bench-read"


@pytest.fixture()
async def server(redis_url: str, tmp_path: Path) -> AsyncIterator[ChildServer]:
    """The server binary, with an upload key that does not read."""
    port = free_port()
    env = {
        "REDIS_URL": redis_url,
        "API_UPLOAD_KEYS": UPLOAD_KEY,
        "API_READ_KEYS": READ_KEY,
        "DATA_ROOT": str(tmp_path / "data"),
        "MIN_FREE_GB": "0",
        "HOST": LOOPBACK,
        "PORT": str(port),
    }
    command = python_module("data_bank_api.server")
    async with child_server(
        command, port=port, env=inherited_env(env), ready_path="/healthz"
    ) as running:
        yield running
