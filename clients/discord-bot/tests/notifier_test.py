"""The notification engine against a real Redis and the fake Discord."""

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from discord_bot.cancel import cancel_and_wait
from discord_bot.notifier import Notifier, message_text
from discord_bot.rest import DiscordRest
from discord_bot.store import NotifierStore
from discord_bot_testing import FakeDiscord
from job_views import JobView
from model_trainer_events import TrainerMetricsProgress
from platform_core.async_events import (
    Event,
    EventPublisher,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobStarted,
    events_stream,
)
from platform_workers.async_redis import RedisClient

DOMAINS = ["turkic", "trainer", "qr"]
# Let the notifier settle before the test goes on, and before it is cancelled.
PAUSE_S = 0.2


class Delivered:
    """The views the notifier delivered; `until(check)` waits for one that passes."""

    def __init__(self) -> None:
        self.views: list[JobView] = []
        self._changed = asyncio.Event()

    def __call__(self, view: JobView) -> None:
        self.views.append(view)
        self._changed.set()

    async def until(self, check: Callable[[JobView], bool], timeout_s: float = 20.0) -> None:
        async with asyncio.timeout(timeout_s):
            while not any(check(view) for view in self.views):
                self._changed.clear()
                await self._changed.wait()


@asynccontextmanager
async def running(
    redis: RedisClient, discord: DiscordRest, delivered: Delivered, **options: str
) -> AsyncIterator[Notifier]:
    notifier = Notifier(
        redis,
        discord,
        domains=DOMAINS,
        block_ms=100,
        on_delivered=delivered,
        result_url=options.get("result_url"),
    )
    task = asyncio.create_task(notifier.run())
    await asyncio.sleep(PAUSE_S)  # it has read its positions
    try:
        yield notifier
    finally:
        await asyncio.sleep(PAUSE_S)
        await cancel_and_wait(task)
        assert task.cancelled()


def ended(job_id: str) -> Callable[[JobView], bool]:
    return lambda view: view.job_id == job_id and view.ended


def progress(job_id: str, user_id: int, percent: int, domain: str = "turkic") -> Event:
    return JobProgress(domain=domain, job_id=job_id, user_id=user_id, progress=percent)


def done(job_id: str, user_id: int, domain: str = "turkic") -> Event:
    return JobCompleted(
        domain=domain, job_id=job_id, user_id=user_id, result_id=f"file-{job_id}", result_bytes=10
    )


async def test_a_job_is_one_message_edited_in_place(
    redis: RedisClient, discord: DiscordRest, fake: FakeDiscord
) -> None:
    publisher = EventPublisher(redis)
    await publisher.publish(progress("before", 7, 5))  # before the first start: not shown
    delivered = Delivered()
    async with running(
        redis, discord, delivered, result_url="http://files/{result_id}"
    ) as notifier:
        await publisher.publish(JobStarted(domain="turkic", job_id="c1", user_id=7, queue="q"))
        await publisher.publish(progress("c1", 0, 50))  # user 0: nobody to tell
        await publisher.publish(progress("c1", 7, 50))
        await delivered.until(lambda view: view.progress == 50)
        await publisher.publish(done("c1", 7))
        await delivered.until(ended("c1"))
        await publisher.publish(done("c2", 7))  # a second job: a second message
        await delivered.until(ended("c2"))
    message, second = fake.messages_of(7)
    assert second.channel_id == message.channel_id
    final = next(view for view in delivered.views if ended("c1")(view))
    assert message.content == message_text(final, "http://files/{result_id}")
    assert message.content.endswith("```\nhttp://files/file-c1")
    assert "before" not in message.content
    assert notifier.stats.sends == 2
    assert notifier.stats.edits == len(message.history) - 1
    assert notifier.stats.events == 5
    assert await NotifierStore(redis).outbox() == {}


async def test_trainer_metrics_and_failures_are_shown(
    redis: RedisClient, discord: DiscordRest, fake: FakeDiscord
) -> None:
    publisher = EventPublisher(redis)
    delivered = Delivered()
    async with running(redis, discord, delivered):
        await publisher.publish(
            TrainerMetricsProgress(
                job_id="run",
                user_id=9,
                epoch=1,
                total_epochs=3,
                step=40,
                train_loss=2.5,
                train_ppl=12.2,
                grad_norm=1.0,
                samples_per_sec=100.0,
            )
        )
        await publisher.publish(
            JobFailed(domain="trainer", job_id="run", user_id=9, error_kind="system", message="oom")
        )
        await delivered.until(ended("run"))
    [message] = fake.messages_of(9)
    assert "epoch 1/3 · step 40 · loss 2.5000" in message.content
    assert "error (system: oom)" in message.content


async def test_a_restart_mid_stream_loses_and_repeats_nothing(
    redis: RedisClient, discord: DiscordRest, fake: FakeDiscord
) -> None:
    publisher = EventPublisher(redis)
    first = Delivered()
    async with running(redis, discord, first):
        for percent in range(1, 31):
            await publisher.publish(progress("a", 1, percent))
            await publisher.publish(progress("b", 2, percent))
        await first.until(lambda view: view.job_id == "b" and view.progress == 30)
    # While the notifier is down, the jobs go on.
    for percent in range(31, 61):
        await publisher.publish(progress("a", 1, percent))
        await publisher.publish(progress("b", 2, percent))
    await publisher.publish(done("a", 1))
    await publisher.publish(done("b", 2))
    second = Delivered()
    async with running(redis, discord, second):
        await second.until(ended("a"))
        await second.until(ended("b"))
    for user, job in ((1, "a"), (2, "b")):
        [message] = fake.messages_of(user)  # the same message, edited after the restart
        shown = [content for _, content in message.history]
        # A delivery the stop interrupted after Discord applied it is made again after
        # the restart: the same text once more (invisible); no other state repeats.
        repeats = sum(1 for before, after in itertools.pairwise(shown) if before == after)
        assert repeats <= 1
        distinct = [text for n, text in enumerate(shown) if n == 0 or shown[n - 1] != text]
        assert len(distinct) == len(set(distinct))  # never back to an earlier state
        percents = [int(text.split("] ")[1].split("%")[0]) for text in shown]
        assert percents == sorted(percents)  # never backwards
        assert f"turkic job {job}: completed" in message.content
    assert second.views[0].progress > 30  # the second run did not start over


async def test_a_burst_ends_with_the_last_state_within_the_rate_limit(
    redis: RedisClient, discord: DiscordRest, fake: FakeDiscord
) -> None:
    publisher = EventPublisher(redis)
    delivered = Delivered()
    async with running(redis, discord, delivered) as notifier:
        events: list[Event] = [JobStarted(domain="qr", job_id="burst", user_id=3, queue="qr")]
        events += [progress("burst", 3, n % 100, domain="qr") for n in range(1, 1001)]
        for start in range(0, len(events), 100):
            await publisher.publish_many(events[start : start + 100])
        await publisher.publish(done("burst", 3, domain="qr"))
        await delivered.until(ended("burst"))
    [message] = fake.messages_of(3)
    assert message.content == message_text(delivered.views[-1])
    assert "qr job burst: completed" in message.content
    assert notifier.stats.events == 1002
    assert notifier.stats.edits + notifier.stats.sends < 200  # coalesced
    assert fake.violations == 0


async def test_users_who_cannot_be_messaged_are_logged_and_skipped(
    redis: RedisClient,
    discord: DiscordRest,
    fake: FakeDiscord,
    caplog: pytest.LogCaptureFixture,
) -> None:
    publisher = EventPublisher(redis)
    delivered = Delivered()
    with caplog.at_level(logging.WARNING, logger="discord_bot.notifier"):
        async with running(redis, discord, delivered) as notifier:
            await publisher.publish(progress("x", 666, 10))
            await publisher.publish(progress("x", 666, 20))
            await publisher.publish(progress("x2", 666, 20))  # a second job: not tried
            await publisher.publish(done("y", 5))
            await delivered.until(ended("y"))
            await asyncio.sleep(PAUSE_S)
    assert fake.messages_of(666) == []
    assert len(fake.messages_of(5)) == 1
    assert notifier.stats.unreachable_users == 1
    assert [r.getMessage() for r in caplog.records if r.name == "discord_bot.notifier"] == [
        "user cannot be messaged: skipped"
    ]
    assert await NotifierStore(redis).outbox() == {}


async def test_a_deleted_message_is_posted_again_and_the_outbox_is_delivered_first(
    redis: RedisClient, discord: DiscordRest, fake: FakeDiscord
) -> None:
    publisher = EventPublisher(redis)
    first = Delivered()
    async with running(redis, discord, first):
        await publisher.publish(progress("d", 4, 10))
        await first.until(lambda view: view.progress == 10)
    fake.messages.clear()  # the user deleted it
    store = NotifierStore(redis)
    state = await store.load("turkic:d")
    assert state is not None
    newer = JobView(domain="turkic", job_id="d", user_id=4, status="running", progress=20)
    await store.flush({}, {"turkic:d": newer})  # left undelivered
    await redis.hset("{discord-bot}:outbox", {"turkic:expired": 4})  # its state has expired
    second = Delivered()
    async with running(redis, discord, second) as notifier:
        await second.until(lambda view: view.progress == 20)
    [message] = fake.messages_of(4)
    assert "20%" in message.content
    assert notifier.stats.sends == 1
    assert await store.outbox() == {}


async def test_bad_entries_and_losses_are_logged_and_passed(
    redis: RedisClient,
    discord: DiscordRest,
    fake: FakeDiscord,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = NotifierStore(redis)
    delivered = Delivered()
    with caplog.at_level(logging.WARNING, logger="discord_bot.notifier"):
        async with running(redis, discord, delivered):
            bad = await redis.xadd(events_stream("qr"), {"event": "not json"})
            small = EventPublisher(redis, maxlen=1)
            await small.publish(progress("p", 8, 1, domain="trainer"))
            await delivered.until(lambda view: view.job_id == "p")
        assert (await store.positions())["qr"] == bad
        await store.flush({"trainer": "1-0"}, {})  # a position the cap has trimmed past
        await small.publish(progress("p", 8, 2, domain="trainer"))
        await small.publish(progress("p", 8, 3, domain="trainer"))
        async with running(redis, discord, delivered):
            await delivered.until(lambda view: view.progress == 3)
    assert [r.getMessage() for r in caplog.records if r.name == "discord_bot.notifier"] == [
        "bad stream entry skipped",
        "events lost to the stream cap",
    ]
    assert "3%" in fake.messages_of(8)[0].content


def test_needs_a_domain(redis: RedisClient, discord: DiscordRest) -> None:
    with pytest.raises(ValueError, match="at least one domain"):
        Notifier(redis, discord, domains=[])
