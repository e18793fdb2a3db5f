"""XREVRANGE (added for platform_core.async_events: "the newest entry" is "now")."""

from platform_workers.async_redis import RedisClient, StreamEntry, commands


async def test_xrevrange_reads_newest_first(redis: RedisClient) -> None:
    assert await redis.run(commands.xrevrange("s", count=1)) == []
    first = await redis.xadd("s", {"n": 1})
    second = await redis.xadd("s", {"n": 2})
    assert await redis.run(commands.xrevrange("s")) == [
        StreamEntry(second, {"n": "2"}),
        StreamEntry(first, {"n": "1"}),
    ]
    assert await redis.run(commands.xrevrange("s", count=1)) == [StreamEntry(second, {"n": "2"})]
    assert await redis.run(commands.xrevrange("s", end=first)) == [StreamEntry(first, {"n": "1"})]
