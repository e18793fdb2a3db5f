"""Shared fixtures: a private Redis, the fake dumps server."""

from collections.abc import AsyncIterator

import pytest

from platform_core.http_testing import RunningServer, running_server
from platform_workers.testing.pytest_plugin import redis_server, redis_url
from turkic_api_testing.dumps import FakeDumps

__all__ = ["redis_server", "redis_url"]


@pytest.fixture()
async def fake_dumps() -> AsyncIterator[tuple[FakeDumps, RunningServer]]:
    """A running fake dumps server and its address."""
    fake = FakeDumps()
    async with running_server(fake.app, grace_s=0.5) as server:
        yield fake, server
