"""The live-worker readiness check: `/readyz` is degraded while no worker serves the queue."""

from platform_core.health import NotReadyError, ReadinessCheck
from platform_workers.async_queue import Queue
from platform_workers.async_redis import RedisError

REASON_NO_WORKER = "no-worker"


def live_worker(queue: Queue) -> ReadinessCheck:
    """Ready while at least one worker of `queue` has a live heartbeat."""

    async def check() -> None:
        try:
            workers = await queue.live_workers()
        except RedisError as exc:
            raise NotReadyError(f"redis error: {exc}") from exc
        if workers == 0:
            raise NotReadyError(REASON_NO_WORKER)

    return check
