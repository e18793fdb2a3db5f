"""Reading events back: resumable stream readers (no loss across restarts) and live pub/sub."""

import asyncio

import pytest

from platform_core.async_events import (
    FROM_BEGINNING,
    Domain,
    DomainMismatchError,
    Event,
    EventEntryError,
    EventPublisher,
    EventReader,
    EventsLostError,
    EventTypes,
    InvalidEventError,
    JobStarted,
    ReceivedEvent,
    UnknownEventTypeError,
    encode_event,
    events_stream,
    latest_positions,
    live_events,
    read_events,
)
from platform_workers.async_redis import RedisClient


def job_id(received: ReceivedEvent) -> str:
    """The job id of a received job event."""
    assert isinstance(received.event, JobStarted)
    return received.event.job_id


def started(job: int, domain: Domain = "orders") -> JobStarted:
    return JobStarted(domain=domain, job_id=f"j{job}", user_id=job, queue=domain)


async def take(reader: EventReader, count: int) -> list[ReceivedEvent]:
    """The next `count` events, failing the test if they take more than 5 s."""
    received: list[ReceivedEvent] = []
    async with asyncio.timeout(5):
        async for each in reader:
            received.append(each)
            if len(received) == count:
                break
    return received


async def test_reads_every_domain_from_the_beginning_in_order(
    redis: RedisClient, events: list[Event], event_types: EventTypes
) -> None:
    publisher = EventPublisher(redis)
    ids = [await publisher.publish(event) for event in events]
    domains = {event.domain for event in events}
    positions = dict.fromkeys(domains, FROM_BEGINNING)
    received = await take(read_events(redis, positions, batch=3, types=event_types), len(events))
    for domain in domains:
        mine = [(r.id, r.event) for r in received if r.domain == domain]
        assert mine == [(i, e) for i, e in zip(ids, events, strict=True) if e.domain == domain]


async def test_a_restarted_consumer_resumes_without_loss(redis: RedisClient) -> None:
    publisher = EventPublisher(redis)
    await publisher.publish_many([started(n) for n in range(3)])
    await publisher.publish(started(100, "dice"))
    saved: dict[Domain, str] = {"orders": FROM_BEGINNING, "dice": FROM_BEGINNING}

    first_run = read_events(redis, saved)
    for received in await take(first_run, 2):
        saved[received.domain] = received.id
    assert first_run.positions == saved
    # The consumer is down while more events arrive.
    await publisher.publish_many([started(n) for n in range(3, 6)])
    await publisher.publish(started(101, "dice"))

    rest = await take(read_events(redis, saved), 6)
    jobs = [job_id(r) for r in rest]
    assert sorted(jobs) == ["j100", "j101", "j2", "j3", "j4", "j5"]
    assert [j for j in jobs if j not in {"j100", "j101"}] == ["j2", "j3", "j4", "j5"]


async def test_from_now_skips_older_events_and_waits_for_new_ones(redis: RedisClient) -> None:
    publisher = EventPublisher(redis)
    assert await latest_positions(redis, ["orders", "tutors"]) == {
        "orders": FROM_BEGINNING,
        "tutors": FROM_BEGINNING,
    }
    old = await publisher.publish(started(1))
    now = await latest_positions(redis, ["orders", "tutors"])
    assert now == {"orders": old, "tutors": FROM_BEGINNING}
    reader = read_events(redis, now, block_ms=50)
    waiting = asyncio.ensure_future(take(reader, 2))
    # Nothing new: the reader blocks, times out and blocks again, returning nothing.
    done, _ = await asyncio.wait({waiting}, timeout=0.3)
    assert not done
    new = await publisher.publish(started(2, "tutors"))
    newer = await publisher.publish(started(3))
    received = await waiting
    assert {(r.id, job_id(r)) for r in received} == {(new, "j2"), (newer, "j3")}


async def test_bad_positions_are_refused(redis: RedisClient) -> None:
    with pytest.raises(ValueError, match="at least one domain"):
        read_events(redis, {})
    with pytest.raises(ValueError, match="use latest_positions"):
        read_events(redis, {"orders": "$"})
    with pytest.raises(ValueError, match="tutors: '12-x' is not a stream entry id"):
        read_events(redis, {"orders": "12", "tutors": "12-x"})
    with pytest.raises(ValueError, match="at least one domain"):
        await latest_positions(redis, [])


@pytest.mark.parametrize(
    ("fields", "problem", "cause"),
    [
        ({"other": "x"}, "no 'event' field", None),
        ({"event": "{"}, "not a JSON object", InvalidEventError),
        ({"event": '{"type":"orders.job.paused.v1"}'}, "unknown event type", UnknownEventTypeError),
        ({"event": encode_event(started(1, "tutors"))}, "tutors.job.started.v1 belongs to", None),
    ],
)
async def test_a_bad_entry_raises_with_its_id(
    redis: RedisClient,
    fields: dict[str, str],
    problem: str,
    cause: type[Exception] | None,
) -> None:
    good = await EventPublisher(redis).publish(started(0))
    bad = await redis.xadd(events_stream("orders"), fields)
    after = await EventPublisher(redis).publish(started(2))
    reader = read_events(redis, {"orders": FROM_BEGINNING})
    assert (await take(reader, 1))[0].id == good
    with pytest.raises(EventEntryError, match=problem) as raised:
        await take(reader, 1)
    assert reader.positions == {"orders": bad}
    assert (await take(reader, 1))[0].id == after  # iterating on skips the bad entry
    assert raised.value.entry_id == bad
    assert raised.value.domain == "orders"
    assert str(raised.value).startswith(f"{{orders}}:events:stream entry {bad}: ")
    if cause is None:
        assert raised.value.__cause__ is None
    else:
        assert isinstance(raised.value.__cause__, cause)


async def test_a_position_the_cap_trimmed_past_raises_once(redis: RedisClient) -> None:
    publisher = EventPublisher(redis, maxlen=3)
    ids = await publisher.publish_many([started(n) for n in range(3)])
    dice = await publisher.publish(started(100, "dice"))
    reader = read_events(redis, {"dice": FROM_BEGINNING, "orders": ids[0]})
    kept = await publisher.publish_many([started(n) for n in range(3, 6)])  # trims ids[1:]
    with pytest.raises(EventsLostError, match=r"events after .* may have been trimmed") as lost:
        await take(reader, 1)
    assert (lost.value.domain, lost.value.position, lost.value.oldest) == (
        "orders",
        ids[0],
        kept[0],
    )
    assert reader.positions == {"dice": FROM_BEGINNING, "orders": FROM_BEGINNING}
    # Iterating on accepts the loss: on from the oldest kept event, the other domain intact.
    assert [r.id for r in await take(reader, 4)] == [dice, *kept]


async def test_a_position_still_in_the_stream_is_not_a_loss(redis: RedisClient) -> None:
    publisher = EventPublisher(redis, maxlen=3)
    ids = await publisher.publish_many([started(n) for n in range(5)])
    reader = read_events(redis, {"orders": ids[2]})  # the oldest kept: nothing after it was lost
    assert [r.id for r in await take(reader, 2)] == ids[3:]
    with pytest.raises(EventsLostError):
        await take(read_events(redis, {"orders": ids[1]}), 1)
    everything = read_events(redis, {"orders": FROM_BEGINNING})
    assert [r.id for r in await take(everything, 3)] == ids[2:]
    short_zero = read_events(redis, {"orders": "0"})  # the same position as FROM_BEGINNING
    assert [r.id for r in await take(short_zero, 3)] == ids[2:]


async def test_live_events_deliver_what_is_published_while_subscribed(redis: RedisClient) -> None:
    publisher = EventPublisher(redis)
    await publisher.publish(started(0))  # before subscribing: never delivered
    async with live_events(redis, ["orders", "dice"], poll_s=0.05) as live:
        await publisher.publish(started(1))
        await publisher.publish(started(2, "dice"))
        await publisher.publish(started(3, "tutors"))  # another domain
        assert await live.next_event(1.0) == started(1)
        assert await live.next_event(1.0) == started(2, "dice")
        assert await live.next_event(0.1) is None
        await publisher.publish(started(4))
        async with asyncio.timeout(5):
            async for event in live:
                assert event == started(4)
                break


async def test_live_events_reject_bad_messages(redis: RedisClient) -> None:
    async with live_events(redis, ["orders"]) as live:
        await redis.publish("orders:events", encode_event(started(1, "tutors")))
        with pytest.raises(
            DomainMismatchError, match=r"tutors\.job\.started\.v1 arrived on orders:events"
        ):
            await live.next_event(1.0)
        await redis.publish("orders:events", "nonsense")
        with pytest.raises(InvalidEventError):
            await live.next_event(1.0)


async def test_live_events_decode_the_types_they_are_given(
    redis: RedisClient, events: list[Event], event_types: EventTypes
) -> None:
    lab = next(event for event in events if event.domain == "lab")
    async with live_events(redis, ["lab"], poll_s=0.05, types=event_types) as live:
        await EventPublisher(redis).publish(lab)
        assert await live.next_event(1.0) == lab
    async with live_events(redis, ["lab"], poll_s=0.05) as live:
        await EventPublisher(redis).publish(lab)
        with pytest.raises(UnknownEventTypeError, match=r"lab\.metrics"):
            await live.next_event(1.0)
