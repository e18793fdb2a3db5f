"""Publish N events (one call each, in batches, and from concurrent producers), then read
them back, against a private redis-server this program starts; print JSON figures.

    bazel run //libs/platform_core:events_benchmark -- --events 100000
    python -m platform_core.async_events_benchmark --events 100000

Each figure says events/s and Redis round trips per event (`RedisClient.stats`); `ping`
is a bare PING round trip on the same client, the floor for one call per event.
"""

import argparse
import asyncio
import pathlib
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence

from pydantic import BaseModel

from platform_core.async_events import (
    FROM_BEGINNING,
    Event,
    EventPublisher,
    JobProgress,
    encode_event,
    read_events,
)
from platform_workers.async_redis import RedisClient, open_redis
from platform_workers.testing.redis_server import RedisServer

EVENTS = 100_000
BATCH = 100
PRODUCERS = 16
MAXLEN = 10_000


class Args(argparse.Namespace):
    """The command line."""

    events: int = EVENTS
    batch: int = BATCH
    producers: int = PRODUCERS
    maxlen: int = MAXLEN
    approximate: bool = False


class Figure(BaseModel):
    """One measured run."""

    events: int
    seconds: float
    events_per_s: float
    round_trips_per_event: float


class Report(BaseModel):
    """What the benchmark prints."""

    events: int
    event_bytes: int
    stream_maxlen: int
    approximate_trim: bool
    ping: Figure
    publish: Figure
    publish_many: Figure
    concurrent_publish: Figure
    read: Figure


def parse_args(argv: Sequence[str]) -> Args:
    """The options (see `--help`)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=EVENTS, help="events per run")
    parser.add_argument("--batch", type=int, default=BATCH, help="events per publish_many")
    parser.add_argument("--producers", type=int, default=PRODUCERS, help="concurrent tasks")
    parser.add_argument("--maxlen", type=int, default=MAXLEN, help="stream cap")
    parser.add_argument("--approximate", action="store_true", help="trim with MAXLEN ~")
    return parser.parse_args(argv, namespace=Args())


def make_events(count: int) -> list[Event]:
    """Typical progress events of one job."""
    return [
        JobProgress(
            domain="tutors", job_id="bench-job", user_id=42, progress=n % 101, message="processing"
        )
        for n in range(count)
    ]


async def measure(redis: RedisClient, count: int, run: Callable[[], Awaitable[None]]) -> Figure:
    """Time `run` (which handles `count` events) and count its round trips."""
    before = redis.stats.round_trips
    started = time.perf_counter()
    await run()
    seconds = time.perf_counter() - started
    return Figure(
        events=count,
        seconds=round(seconds, 3),
        events_per_s=round(count / seconds),
        round_trips_per_event=round((redis.stats.round_trips - before) / count, 4),
    )


class Runs:
    """The measured runs, on one client and one publisher."""

    def __init__(self, redis: RedisClient, events: list[Event], args: Args) -> None:
        self.redis = redis
        self.events = events
        self.args = args
        self.publisher = EventPublisher(redis, maxlen=args.maxlen, approximate=args.approximate)
        self.ping_count = min(args.events, 10_000)
        self.read_count = min(args.events, args.maxlen)

    async def pings(self) -> None:
        """Bare PING round trips: the floor for one call per event."""
        for _ in range(self.ping_count):
            await self.redis.ping()

    async def one_by_one(self) -> None:
        """`publish` each event, awaiting each."""
        for event in self.events:
            await self.publisher.publish(event)

    async def batched(self) -> None:
        """`publish_many` in batches of `--batch`."""
        for start in range(0, len(self.events), self.args.batch):
            await self.publisher.publish_many(self.events[start : start + self.args.batch])

    async def concurrent(self) -> None:
        """`publish` from `--producers` tasks at once (the client's connection pool)."""

        async def producer(mine: list[Event]) -> None:
            for event in mine:
                await self.publisher.publish(event)

        async with asyncio.TaskGroup() as group:
            for index in range(self.args.producers):
                group.create_task(producer(self.events[index :: self.args.producers]))

    async def read(self) -> None:
        """Read back what the stream holds with an `EventReader`."""
        reader = read_events(self.redis, {"tutors": FROM_BEGINNING}, batch=self.args.batch)
        for _ in range(self.read_count):
            await anext(reader)


async def benchmark(url: str, args: Args) -> Report:
    """Every run against the server at `url`."""
    events = make_events(args.events)
    async with open_redis(url) as redis:
        runs = Runs(redis, events, args)
        await runs.publisher.publish(events[0])  # loads the script
        return Report(
            events=args.events,
            event_bytes=len(encode_event(events[0]).encode()),
            stream_maxlen=args.maxlen,
            approximate_trim=args.approximate,
            ping=await measure(redis, runs.ping_count, runs.pings),
            publish=await measure(redis, args.events, runs.one_by_one),
            publish_many=await measure(redis, args.events, runs.batched),
            concurrent_publish=await measure(redis, args.events, runs.concurrent),
            read=await measure(redis, runs.read_count, runs.read),
        )


def main(argv: Sequence[str]) -> int:
    """Start a private redis-server, run the benchmark, print the report as JSON."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir, RedisServer(pathlib.Path(workdir)) as server:
        report = asyncio.run(benchmark(server.url, args))
    sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    return 0
