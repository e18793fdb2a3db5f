"""The live-worker readiness check (Bazel target `//libs/platform_workers:queue_readiness`).

`/readyz` is degraded while no worker of the service's queue has a live heartbeat in
the queue's worker registry (`{<queue>}:workers`, see docs/queue.md):

    create_app(..., readiness=[redis_ping(redis), live_worker_check(Queue(redis, "orders"))])

It raises `NotReadyError("no-worker")` (the original's reason) when none is live, and
`NotReadyError("redis error: ...")` when the registry cannot be read; nothing retries.
"""

from platform_core import health
from platform_core.health import NotReadyError
from platform_workers.async_queue import Queue
from platform_workers.async_redis import RedisError

NO_WORKER = "no-worker"


def live_worker_check(queue: Queue) -> health.ReadinessCheck:
    """A readiness check: at least one worker of `queue` is alive (one Redis call)."""

    async def check() -> None:
        try:
            live = await queue.live_workers()
        except RedisError as exc:
            raise NotReadyError(f"redis error: {exc}") from exc
        if live < 1:
            raise NotReadyError(NO_WORKER)

    return check


__all__ = ["NO_WORKER", "live_worker_check"]
