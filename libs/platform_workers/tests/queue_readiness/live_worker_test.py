"""Readiness follows the worker registry: ready with a live worker, degraded without."""

import pytest

from platform_core.health import NotReadyError, readiness
from platform_workers.async_queue import Queue
from platform_workers.async_queue_testing import ECHO, echo, running
from platform_workers.async_redis import open_redis
from platform_workers.queue_readiness import NO_WORKER, live_worker_check
from platform_workers.testing.redis_server import RedisServer


async def test_ready_only_while_a_worker_is_live(redis_url: str) -> None:
    async with open_redis(redis_url) as redis:
        check = live_worker_check(Queue(redis, "orders"))
        with pytest.raises(NotReadyError, match=NO_WORKER):
            await check()
        async with running(redis, "orders", [ECHO.handler(echo)]):
            await check()
            assert (await readiness(check)).status == "ready"
        report = await readiness(check)
        assert (report.status, report.reason) == ("degraded", "no-worker")


async def test_redis_down_is_degraded(redis_server: RedisServer, redis_url: str) -> None:
    async with open_redis(redis_url, socket_timeout_s=1.0) as redis:
        check = live_worker_check(Queue(redis, "orders"))
        redis_server.stop()
        report = await readiness(check)
    assert report.status == "degraded"
    assert (report.reason or "").startswith("redis error: ")
