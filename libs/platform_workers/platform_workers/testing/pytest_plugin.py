"""pytest fixtures for a real Redis: load with `test_plugins` in a BUILD target.

- `redis_server` (session): one private server for the whole test target.
- `redis_url` (function): that server, emptied before the test.
"""

import pathlib
from collections.abc import Iterator

import pytest

from platform_workers.testing.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server for the session, stopped at its end."""
    workdir: pathlib.Path = tmp_path_factory.mktemp("redis")
    with RedisServer(workdir) as server:
        yield server


def fresh_url(server: RedisServer) -> str:
    """The server's URL with every key deleted; restarted first if a test stopped it."""
    if not server.running:
        server.start()
    server.flush()
    return server.url


@pytest.fixture()
def redis_url(redis_server: RedisServer) -> str:
    """The session server, emptied for this test."""
    return fresh_url(redis_server)
