"""`follow` against a real Redis: one job, a whole domain, resuming, bad entries, losses."""

import asyncio
from typing import ClassVar

import pytest

from job_views import JobView
from job_watch import follow
from job_watch.cancel import cancel_and_wait
from job_watch.follow import _raise_failure
from model_trainer_events import TrainerMetricsProgress
from platform_core.async_events import (
    FROM_BEGINNING,
    DomainEvent,
    EventPublisher,
    EventsLostError,
    EventTypes,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobStarted,
    ReceivedEvent,
    events_stream,
)
from platform_workers.async_redis import RedisClient, RedisConnectionError

# Let the watch settle before it is stopped.
PAUSE_S = 0.2


class Recorder:
    """A `WatchSink` that keeps every view and note; `until` waits for a number of views."""

    def __init__(self) -> None:
        self.views: list[JobView] = []
        self.notes: list[str] = []
        self._changed = asyncio.Event()

    def job(self, view: JobView) -> None:
        self.views.append(view)
        self._changed.set()

    def note(self, text: str) -> None:
        self.notes.append(text)

    async def until(self, views: int) -> None:
        while len(self.views) < views:
            self._changed.clear()
            await self._changed.wait()


class LabNote(DomainEvent):
    """An event about no job."""

    TYPE: ClassVar[str] = "lab.note.v1"
    domain: ClassVar[str] = "lab"

    text: str


async def test_one_job_until_it_ends(publisher: EventPublisher, redis: RedisClient) -> None:
    await publisher.publish(JobStarted(domain="trainer", job_id="r1", user_id=5, queue="trainer"))
    await publisher.publish(JobStarted(domain="trainer", job_id="r2", user_id=6, queue="trainer"))
    await publisher.publish(
        TrainerMetricsProgress(
            job_id="r1",
            user_id=5,
            epoch=1,
            total_epochs=2,
            step=3,
            train_loss=2.0,
            train_ppl=7.4,
            grad_norm=1.0,
            samples_per_sec=9.0,
        )
    )
    await publisher.publish(JobProgress(domain="trainer", job_id="r1", user_id=5, progress=50))
    last = await publisher.publish(
        JobCompleted(domain="trainer", job_id="r1", user_id=5, result_id="f", result_bytes=3)
    )
    await publisher.publish(JobProgress(domain="trainer", job_id="r2", user_id=6, progress=9))
    recorder = Recorder()
    position = await follow(
        redis, "trainer", FROM_BEGINNING, recorder, job_id="r1", until_done=True
    )
    assert position == last
    assert [(v.job_id, v.status, v.progress) for v in recorder.views] == [
        ("r1", "started", 0),
        ("r1", "started", 0),
        ("r1", "running", 50),
        ("r1", "completed", 100),
    ]
    assert recorder.views[1].metrics == "epoch 1/2 · step 3 · loss 2.0000 · ppl 7.40"
    assert recorder.notes == []


async def test_a_whole_domain_live_then_resumed(
    publisher: EventPublisher, redis: RedisClient
) -> None:
    recorder = Recorder()
    stop = asyncio.Event()
    watching = asyncio.create_task(follow(redis, "qr", FROM_BEGINNING, recorder, stop=stop))
    await publisher.publish(JobStarted(domain="qr", job_id="a", user_id=1, queue="qr"))
    second = await publisher.publish(
        JobFailed(domain="qr", job_id="b", user_id=2, error_kind="user", message="bad url")
    )
    await asyncio.wait_for(recorder.until(2), 5)
    await asyncio.sleep(PAUSE_S)
    stop.set()
    position = await asyncio.wait_for(watching, 5)
    assert position == second
    assert [(v.job_id, v.status) for v in recorder.views] == [("a", "started"), ("b", "failed")]
    await publisher.publish(JobProgress(domain="qr", job_id="a", user_id=1, progress=70))
    resumed = Recorder()
    stop_again = asyncio.Event()
    stop_again.set()
    assert await follow(redis, "qr", position, resumed, stop=stop_again) == position
    again = asyncio.create_task(follow(redis, "qr", position, resumed))
    await asyncio.wait_for(resumed.until(1), 5)
    await asyncio.sleep(PAUSE_S)
    await cancel_and_wait(again)
    assert again.cancelled()
    assert [(v.job_id, v.status, v.progress) for v in resumed.views] == [("a", "running", 70)]


async def test_bad_entries_losses_and_events_about_no_job_are_notes(
    redis: RedisClient,
) -> None:
    small = EventPublisher(redis, maxlen=2)
    first = await small.publish(JobStarted(domain="lab", job_id="x", user_id=1, queue="lab"))
    for progress in (10, 20, 30):
        await small.publish(JobProgress(domain="lab", job_id="x", user_id=1, progress=progress))
    await redis.xadd(events_stream("lab"), {"event": "{not json"})
    roomy = EventPublisher(redis, maxlen=100)
    await roomy.publish(LabNote(text="hello"))
    done = await roomy.publish(
        JobCompleted(domain="lab", job_id="x", user_id=1, result_id="r", result_bytes=1)
    )
    recorder = Recorder()
    position = await follow(
        redis,
        "lab",
        first,
        recorder,
        job_id="x",
        until_done=True,
        types=EventTypes(LabNote),
    )
    assert position == done
    lost, bad, note = recorder.notes
    assert lost.startswith(f"EventsLostError: {{lab}}:events:stream: events after {first}")
    assert bad.startswith("EventEntryError: {lab}:events:stream entry ")
    assert note.endswith(" lab.note.v1")
    assert [v.progress for v in recorder.views] == [20, 30, 100]


async def test_until_done_needs_a_job(redis: RedisClient) -> None:
    with pytest.raises(ValueError, match="until_done needs a job_id"):
        await follow(redis, "qr", FROM_BEGINNING, Recorder(), until_done=True)


async def test_a_read_failing_while_stopping_is_raised() -> None:
    loop = asyncio.get_running_loop()
    failed: asyncio.Future[ReceivedEvent] = loop.create_future()
    failed.set_exception(RedisConnectionError("gone"))
    with pytest.raises(RedisConnectionError, match="gone"):
        _raise_failure(failed)
    noted: asyncio.Future[ReceivedEvent] = loop.create_future()
    noted.set_exception(EventsLostError("qr", "1-0", "2-0"))
    _raise_failure(noted)
    read: asyncio.Future[ReceivedEvent] = loop.create_future()
    read.set_result(
        ReceivedEvent("1-0", JobStarted(domain="qr", job_id="j", user_id=1, queue="qr"))
    )
    _raise_failure(read)
