"""Publishing against the real Redis: stream + channel in one atomic call, the cap, failures."""

import asyncio
from typing import NoReturn

import pytest
from pydantic import TypeAdapter

from platform_core.async_events import (
    DEFAULT_STREAM_MAXLEN,
    EMIT_EVENT_LUA,
    EVENT_FIELD,
    ROUTE_LUA_FIELDS,
    Event,
    EventPublisher,
    EventRoute,
    JobProgress,
    JobStarted,
    encode_event,
    event_route,
    events_channel,
    events_stream,
)
from platform_workers.async_redis import (
    Arg,
    Message,
    RedisClient,
    RedisCommandError,
    RedisConnectionError,
    RedisReplyError,
    Script,
    StreamEntry,
    Subscription,
    commands,
    open_redis,
)
from platform_workers.testing.redis_server import RedisServer

ROUTE_ARG = TypeAdapter(dict[str, str | int])


def _leading_name(text: str) -> str:
    """The Lua name `text` starts with."""
    end = 0
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return text[:end]


def started(job: int, domain: str = "orders") -> JobStarted:
    fields: dict[str, object] = {
        "domain": domain,
        "job_id": f"j{job}",
        "user_id": job,
        "queue": domain,
    }
    return JobStarted.model_validate(fields)


async def next_message(live: Subscription, timeout_s: float = 1.0) -> Message | None:
    """The next message (skipping the subscription confirmations), or None after `timeout_s`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while (left := deadline - loop.time()) > 0:
        message = await live.next_message(left)
        if message is not None:
            return message
    return None


def test_routes_follow_the_key_scheme() -> None:
    assert events_channel("orders") == "orders:events"
    assert events_stream("orders") == "{orders}:events:stream"
    assert event_route("dice") == EventRoute(
        domain="dice",
        stream="{dice}:events:stream",
        channel="dice:events",
        field="event",
        maxlen=DEFAULT_STREAM_MAXLEN,
        approximate=False,
    )
    assert event_route("orders").trim == "="
    assert event_route("orders", maxlen=5, approximate=True).trim == "~"
    with pytest.raises(ValueError, match="at least 1, got 0"):
        event_route("orders", maxlen=0)


async def test_publish_appends_to_the_stream_and_publishes_the_same_text(
    redis: RedisClient, events: list[Event]
) -> None:
    publisher = EventPublisher(redis)
    async with redis.subscribe("lab:events", "orders:events") as live:
        for event in events:
            entry_id = await publisher.publish(event)
            route = publisher.route(event.domain)
            text = encode_event(event)
            stored = await redis.run(commands.xrevrange(route.stream, count=1))
            assert stored == [StreamEntry(entry_id, {"event": text})]
            if event.domain in ("lab", "orders"):
                message = await next_message(live)
                assert message is not None
                assert (message.channel, message.data) == (route.channel, text)


async def test_publish_is_one_round_trip(redis: RedisClient) -> None:
    publisher = EventPublisher(redis)
    await publisher.publish(started(0))  # the first call loads the script
    before = redis.stats.round_trips
    await publisher.publish(started(1))
    assert redis.stats.round_trips - before == 1


async def test_publish_many_is_one_ordered_call(redis: RedisClient) -> None:
    publisher = EventPublisher(redis)
    assert await publisher.publish_many([]) == []
    await publisher.publish(started(0))
    batch: list[Event] = [started(1), started(2, "tutors"), started(3)]
    before = redis.stats.round_trips
    ids = await publisher.publish_many(batch)
    assert redis.stats.round_trips - before == 1
    orders = await redis.xrange(events_stream("orders"))
    assert [(e.id, e.fields) for e in orders[1:]] == [
        (ids[0], {"event": encode_event(batch[0])}),
        (ids[2], {"event": encode_event(batch[2])}),
    ]
    tutors = await redis.xrange(events_stream("tutors"))
    assert tutors == [StreamEntry(ids[1], {"event": encode_event(batch[1])})]


async def test_the_cap_holds_exactly(redis: RedisClient) -> None:
    publisher = EventPublisher(redis, maxlen=5)
    ids = [await publisher.publish(started(n)) for n in range(12)]
    ids += await publisher.publish_many([started(n) for n in range(12, 20)])
    kept = await redis.xrange(events_stream("orders"))
    assert [entry.id for entry in kept] == ids[-5:]


async def test_an_approximate_cap_trims_whole_nodes(redis: RedisClient) -> None:
    publisher = EventPublisher(redis, maxlen=10, approximate=True)
    await publisher.publish_many([started(n) for n in range(450)])
    length = await redis.run(commands.xlen(events_stream("orders")))
    assert 10 <= length <= 110


async def test_a_failed_append_publishes_nothing(redis: RedisClient) -> None:
    publisher = EventPublisher(redis)
    await redis.set(events_stream("orders"), "not a stream")
    async with redis.subscribe("orders:events") as live:
        with pytest.raises(RedisCommandError, match="WRONGTYPE"):
            await publisher.publish(started(1))
        assert await next_message(live, 0.2) is None


async def test_a_lua_producer_using_the_contract_writes_what_publish_writes(
    redis: RedisClient,
) -> None:
    producer = Script(EMIT_EVENT_LUA + "return emit_event(KEYS[1], cjson.decode(ARGV[1]), ARGV[2])")
    event = JobProgress(domain="orders", job_id="j", user_id=1, progress=50, message="half")
    route = event_route("orders", maxlen=3)
    args: list[Arg] = [route.lua_arg, encode_event(event)]
    async with redis.subscribe(route.channel) as live:
        scripted = await redis.eval_script(producer, [route.stream], args)
        published = await EventPublisher(redis, maxlen=3).publish(event)
        texts = [await next_message(live), await next_message(live)]
    entries = await redis.xrange(route.stream)
    assert entries == [
        StreamEntry(str(scripted), {"event": encode_event(event)}),
        StreamEntry(published, {"event": encode_event(event)}),
    ]
    assert [m.data if m else None for m in texts] == [encode_event(event)] * 2


def test_the_lua_emitter_reads_exactly_the_route_fields_python_writes() -> None:
    """One definition of the emitted format: `emit_event.lua` reads the route's fields by
    name, and they are the ones `EventRoute.lua_arg` holds."""
    read = {_leading_name(chunk) for chunk in EMIT_EVENT_LUA.split("route.")[1:]}
    assert read == set(ROUTE_LUA_FIELDS)
    route = event_route("orders", maxlen=7, approximate=True)
    written = ROUTE_ARG.validate_json(route.lua_arg)
    assert written == {
        "channel": "orders:events",
        "field": EVENT_FIELD,
        "trim": "~",
        "maxlen": 7,
    }
    assert list(written) == list(ROUTE_LUA_FIELDS)


async def test_publishing_to_a_stopped_redis_raises(redis_server: RedisServer) -> None:
    async with open_redis(redis_server.url, socket_timeout_s=1.0) as redis:
        redis_server.kill()
        with pytest.raises(RedisConnectionError):
            await EventPublisher(redis).publish(started(1))
    redis_server.start()


class Callbacks:
    def clear(self) -> None:
        return None


class OddScriptRedis:
    """A raw client whose scripts answer with `reply` (faults a real Redis never shows)."""

    response_callbacks = Callbacks()

    def __init__(self, reply: object) -> None:
        self.reply = reply

    async def execute_command(self, *args: Arg) -> object:
        await asyncio.sleep(0)
        return self.reply

    def pipeline(self, transaction: bool = True) -> NoReturn:
        raise NotImplementedError

    def pubsub(self) -> NoReturn:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("1-0", "expected 1 stream entry ids, got '1-0'"),
        (["1-0", "2-0"], "expected 1 stream entry ids"),
        ([7], "expected a stream entry id, got 7"),
    ],
)
async def test_an_odd_script_reply_raises(reply: object, message: str) -> None:
    redis = RedisClient(OddScriptRedis(reply), socket_timeout_s=1.0)
    with pytest.raises(RedisReplyError, match=message):
        await EventPublisher(redis).publish(started(1))
