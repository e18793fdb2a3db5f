"""Reading one job's events with the platform's subscriber."""

import pytest

from platform_core.async_events import EventPublisher, JobCompleted, JobProgress, JobStarted
from platform_workers.async_redis import open_redis
from transcript_api_testing.events import job_events


async def test_a_jobs_events_up_to_its_end(redis_url: str) -> None:
    async with open_redis(redis_url) as redis:
        publisher = EventPublisher(redis)
        await publisher.publish(JobStarted(domain="transcript", job_id="a", user_id=1, queue="t"))
        await publisher.publish(JobStarted(domain="transcript", job_id="b", user_id=1, queue="t"))
        await publisher.publish(JobProgress(domain="transcript", job_id="a", user_id=1, progress=5))
        done = JobCompleted(
            domain="transcript", job_id="a", user_id=1, result_id="r", result_bytes=1
        )
        await publisher.publish(done)
        await publisher.publish(JobProgress(domain="transcript", job_id="a", user_id=1, progress=9))
        events = await job_events(redis, "a")
    assert [e.kind for e in events] == ["started", "progress", "completed"]


async def test_no_end_in_time(redis_url: str) -> None:
    async with open_redis(redis_url) as redis:
        await EventPublisher(redis).publish(
            JobStarted(domain="transcript", job_id="a", user_id=1, queue="t")
        )
        with pytest.raises(TimeoutError):
            await job_events(redis, "a", timeout_s=0.3)
