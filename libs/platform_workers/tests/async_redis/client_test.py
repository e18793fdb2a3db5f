"""The typed client against a real Redis: every command, pipelines, scripts, pub/sub, errors."""

import asyncio

import pytest

from platform_workers.async_redis import (
    AutoClaimed,
    RedisClient,
    RedisCommandError,
    RedisConnectionError,
    RedisError,
    RedisTimeoutError,
    Script,
    StreamEntry,
    commands,
    open_redis,
)
from platform_workers.async_redis.client import translate
from platform_workers.async_redis.redis_py import REDIS_PY_ERRORS
from platform_workers.testing.redis_server import RedisServer


async def test_strings(redis: RedisClient) -> None:
    assert await redis.get("k") is None
    assert await redis.set("k", "v") is True
    assert await redis.set("k", "other", nx=True) is False
    assert await redis.get("k") == "v"
    assert await redis.set("t", 1, px=60_000) is True
    assert 0 < await redis.run(commands.pttl("t")) <= 60_000
    assert await redis.run(commands.pexpire("k", 60_000)) is True
    assert await redis.run(commands.pexpire("missing", 1)) is False
    assert await redis.run(commands.incr("n", 5)) == 5
    assert await redis.run(commands.exists("k", "n", "missing")) == 2
    assert await redis.delete("k", "n", "missing") == 2


async def test_hashes(redis: RedisClient) -> None:
    assert await redis.hset("h", {"a": "1", "b": 2, "c": 1.5}) == 3
    assert await redis.hget("h", "b") == "2"
    assert await redis.hget("h", "zz") is None
    assert await redis.hgetall("h") == {"a": "1", "b": "2", "c": "1.5"}
    assert await redis.run(commands.hdel("h", "a", "zz")) == 1
    assert await redis.hgetall("missing") == {}
    with pytest.raises(ValueError, match="at least one field"):
        commands.hset("h", {})


async def test_streams_and_groups(redis: RedisClient) -> None:
    first = await redis.xadd("s", {"n": 1})
    await redis.run(commands.xadd("s", {"n": 2}, maxlen=10, approximate=False))
    assert await redis.run(commands.xlen("s")) == 2
    assert [e.fields for e in await redis.xrange("s")] == [{"n": "1"}, {"n": "2"}]
    one = await redis.run(commands.xrange("s", count=1))
    assert len(one) == 1
    batches = await redis.xread({"s": "0"}, count=1)
    assert batches[0].stream == "s"
    assert batches[0].entries == [StreamEntry(first, {"n": "1"})]
    assert await redis.xread({"s": "$"}, block_ms=10) == []

    await redis.run(commands.xgroup_create("s", "g", start_id="0"))
    with pytest.raises(RedisCommandError, match="BUSYGROUP"):
        await redis.run(commands.xgroup_create("s", "g", mkstream=False))
    read = await redis.xreadgroup("g", "w1", {"s": ">"}, count=10, block_ms=10)
    ids = [e.id for e in read[0].entries]
    assert len(ids) == 2
    summary = await redis.xpending_summary("s", "g")
    assert (summary.count, summary.consumers) == (2, {"w1": 2})
    pending = await redis.xpending("s", "g", count=10)
    assert [(p.id, p.consumer, p.deliveries) for p in pending] == [(i, "w1", 1) for i in ids]
    assert (
        await redis.run(commands.xpending("s", "g", count=10, consumer="w2", min_idle_ms=0)) == []
    )

    claimed = await redis.run(commands.xclaim_justid("s", "g", "w2", 0, [ids[0]]))
    assert claimed == [ids[0]]
    entries = await redis.run(commands.xclaim("s", "g", "w2", 0, [ids[1]]))
    assert entries == [StreamEntry(ids[1], {"n": "2"})]
    auto = await redis.xautoclaim("s", "g", "w3", 0)
    assert auto == AutoClaimed(
        "0-0", [StreamEntry(i, {"n": str(n)}) for n, i in enumerate(ids, 1)], []
    )
    assert await redis.run(commands.xdel("s", ids[0])) == 1
    auto = await redis.run(commands.xautoclaim("s", "g", "w3", 0, count=10))
    assert auto.deleted == [ids[0]]
    assert await redis.run(commands.xack("s", "g", ids[1])) == 1
    assert await redis.xpending("s", "g", count=10) == []
    with pytest.raises(ValueError, match="at least one id"):
        commands.xclaim("s", "g", "c", 0, [])
    with pytest.raises(ValueError, match="at least one id"):
        commands.xclaim_justid("s", "g", "c", 0, [])
    with pytest.raises(ValueError, match="at least one field"):
        commands.xadd("s", {})
    with pytest.raises(ValueError, match="at least one stream"):
        commands.xread({})


async def test_pending_entry_of_a_deleted_message(redis: RedisClient) -> None:
    await redis.run(commands.xgroup_create("d", "g"))
    entry = await redis.xadd("d", {"x": "1"})
    await redis.xreadgroup("g", "w", {"d": ">"})
    await redis.run(commands.xdel("d", entry))
    again = await redis.xreadgroup("g", "w", {"d": "0"})
    assert again[0].entries == [StreamEntry(entry, None)]
    [pending] = await redis.xpending("d", "g", count=1)
    assert (pending.id, pending.consumer, pending.deliveries) == (entry, "w", 1)


async def test_sorted_sets(redis: RedisClient) -> None:
    assert await redis.run(commands.zadd("z", {"a": 1, "b": 2.5})) == 2
    assert await redis.run(commands.zadd("z", {"a": 9}, nx=True)) == 0
    assert await redis.run(commands.zscore("z", "a")) == 1.0
    assert await redis.run(commands.zscore("z", "zz")) is None
    assert await redis.run(commands.zcard("z")) == 2
    assert await redis.run(commands.zrangebyscore("z", "-inf", "+inf")) == [("a", 1.0), ("b", 2.5)]
    assert await redis.run(commands.zrangebyscore("z", "2", "+inf", count=5)) == [("b", 2.5)]
    assert await redis.run(commands.zrem("z", "a")) == 1
    with pytest.raises(ValueError, match="at least one member"):
        commands.zadd("z", {})


async def test_transaction_is_one_round_trip(redis: RedisClient) -> None:
    pipe = redis.pipeline()
    stream_id = pipe.add(commands.xadd("s", {"a": "1"}))
    status = pipe.add(commands.hset("job", {"status": "queued"}))
    assert len(pipe) == 2
    with pytest.raises(RedisError, match="XADD has not been executed"):
        _ = stream_id.value
    before = redis.stats.round_trips
    await pipe.execute()
    assert redis.stats.round_trips == before + 1
    assert stream_id.value.endswith("-0")
    assert status.value == 1
    await redis.pipeline(transaction=False).execute()
    assert redis.stats.round_trips == before + 1


async def test_pipeline_raises_the_first_command_error(redis: RedisClient) -> None:
    await redis.set("str", "x")
    pipe = redis.pipeline(transaction=False)
    ok = pipe.add(commands.set_("a", "1"))
    pipe.add(commands.hset("str", {"f": "v"}))
    pipe.add(commands.hget("str", "f"))
    with pytest.raises(RedisCommandError, match="HSET: WRONGTYPE"):
        await pipe.execute()
    assert ok.value is True


async def test_scripts_are_sent_once(redis: RedisClient) -> None:
    script = Script("return {KEYS[1], ARGV[1]}")
    assert len(script.sha) == 40
    assert await redis.eval_script(script, ["k"], ["v"]) == ["k", "v"]
    assert await redis.run(commands.raw("SCRIPT", "EXISTS", script.sha)) == [1]
    assert await redis.eval_script(script, ["k2"], [2]) == ["k2", "2"]
    assert await redis.run(commands.script_load("return 1")) == Script("return 1").sha
    with pytest.raises(RedisCommandError, match="boom"):
        await redis.eval_script(Script("return redis.error_reply('boom')"), [], [])
    with pytest.raises(ValueError, match="needs a name"):
        commands.raw()


async def test_pub_sub_round_trip(redis: RedisClient) -> None:
    async with redis.subscribe("a:events", "b:events", poll_s=0.05) as sub:
        assert await sub.next_message(0.01) is None
        assert await redis.publish("b:events", '{"x":1}') == 1
        async for message in sub:
            assert (message.channel, message.data) == ("b:events", '{"x":1}')
            break
    with pytest.raises(ValueError, match="at least one channel"):
        redis.subscribe()
    with pytest.raises(ValueError, match="below the socket timeout"):
        redis.subscribe("x", poll_s=5.0)


async def test_ping_and_close(redis_url: str) -> None:
    client = open_redis(redis_url)
    await client.ping()
    assert client.stats.commands == 1
    await client.close()


async def test_blocking_longer_than_the_socket_timeout_is_refused(redis: RedisClient) -> None:
    with pytest.raises(ValueError, match="would outlast the socket timeout"):
        await redis.xread({"s": "$"}, block_ms=2000)
    with pytest.raises(ValueError, match="would outlast the socket timeout"):
        await redis.xreadgroup("g", "c", {"s": ">"}, block_ms=5000)


async def test_timeout_is_raised(redis_url: str) -> None:
    async with open_redis(redis_url, socket_timeout_s=0.2) as client:
        with pytest.raises(RedisTimeoutError):
            await client.run(commands.raw("BLPOP", "nothing", "2"))


async def test_unreachable_server_is_a_connection_error() -> None:
    async with open_redis("redis://127.0.0.1:1/0", connect_timeout_s=0.5) as client:
        with pytest.raises(RedisConnectionError):
            await client.ping()


async def test_server_stopped_mid_use_is_a_connection_error(redis_server: RedisServer) -> None:
    async with open_redis(redis_server.url) as client:
        await client.ping()
        redis_server.kill()
        with pytest.raises(RedisConnectionError):
            await client.ping()
        with pytest.raises(RedisConnectionError):
            await _pipeline_ping(client)
    redis_server.start()


async def _pipeline_ping(client: RedisClient) -> None:
    pipe = client.pipeline()
    pipe.add(commands.ping())
    await pipe.execute()


def test_translate_keeps_the_message() -> None:
    assert type(translate(REDIS_PY_ERRORS.base("odd"))) is RedisError
    assert str(translate(REDIS_PY_ERRORS.response(""))) == "ResponseError"


async def test_concurrent_commands_share_the_pool(redis: RedisClient) -> None:
    await asyncio.gather(*(redis.set(f"k{i}", i) for i in range(50)))
    assert await redis.run(commands.raw("DBSIZE")) == 50
