"""Reading a transcript job's lifecycle events with the platform's events subscriber."""

import asyncio

from platform_core.async_events import FROM_BEGINNING, JobEvent, read_events
from platform_workers.async_redis import RedisClient

FINAL_KINDS = frozenset({"completed", "failed"})


async def job_events(redis: RedisClient, job_id: str, *, timeout_s: float = 30.0) -> list[JobEvent]:
    """`job_id`'s events on the `transcript` stream, from the first up to its completed or
    failed event (`TimeoutError` if that does not come within `timeout_s`)."""
    events: list[JobEvent] = []
    async with asyncio.timeout(timeout_s):
        async for received in read_events(redis, {"transcript": FROM_BEGINNING}, block_ms=200):
            event = received.event
            if isinstance(event, JobEvent) and event.job_id == job_id:
                events.append(event)
                if event.kind in FINAL_KINDS:
                    break
    return events
