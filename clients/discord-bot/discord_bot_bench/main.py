"""Publish progress events for many users' jobs; time the notifier to the fake Discord.

A private redis-server and the fake Discord (on loopback, with Discord-like per-channel
limits) are started here. `users` x `jobs` jobs each get `events` progress events, then
completion, published in batches as fast as Redis takes them. Figures (JSON):

- `events_per_s`: events per second end to end, from the first publish until Discord
  showed every job's final state (each event decoded, folded, its state and position
  written to Redis, the resulting texts delivered with edits coalesced);
- `lag_ms_p50/p99/max`: per event, from its publish until Discord showed a state at
  least as new (so a coalesced edit counts for every event it covers);
- `edits`, `sends`, `rate_limited` (429s met), `violations` (requests the fake received
  during a wait it had imposed: must be 0).
"""

import argparse
import asyncio
import pathlib
import sys
import tempfile
import time
from collections.abc import Sequence

from pydantic import BaseModel

from discord_bot.cancel import cancel_and_wait
from discord_bot.notifier import Notifier
from discord_bot.rest import DiscordRest
from discord_bot_testing import FakeDiscord
from job_views import JobView
from platform_core.async_events import Event, EventPublisher, JobCompleted, JobProgress
from platform_core.http_client import open_http
from platform_core.http_testing import running_server
from platform_workers.async_redis import open_redis
from platform_workers.testing.redis_server import RedisServer

TOKEN = "bench"
BATCH = 100
USERS = 20
JOBS = 2
EVENTS = 250
ROUTE_LIMIT = 5
WINDOW_S = 1.0


class Args(argparse.Namespace):
    """The command line."""

    users: int = USERS
    jobs: int = JOBS
    events: int = EVENTS
    route_limit: int = ROUTE_LIMIT
    window_s: float = WINDOW_S


class Report(BaseModel):
    """What the benchmark prints."""

    users: int
    jobs: int
    events: int
    seconds: float
    events_per_s: float
    lag_ms_p50: float
    lag_ms_p99: float
    lag_ms_max: float
    sends: int
    edits: int
    rate_limited: int
    violations: int


def parse_args(argv: Sequence[str]) -> Args:
    """The arguments."""
    parser = argparse.ArgumentParser(prog="benchmark", description=__doc__)
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--jobs", type=int, default=JOBS, help="jobs per user")
    parser.add_argument("--events", type=int, default=EVENTS, help="progress events per job")
    parser.add_argument("--route-limit", type=int, default=ROUTE_LIMIT)
    parser.add_argument("--window-s", type=float, default=WINDOW_S)
    return parser.parse_args(argv, namespace=Args())


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(args: Args, redis_url: str) -> Report:
    """Run the notifier against `redis_url` and the fake Discord; the figures."""
    fake = FakeDiscord(token=TOKEN, route_limit=args.route_limit, window_s=args.window_s)
    shown: dict[str, list[tuple[float, int, bool]]] = {}
    done = asyncio.Event()
    jobs = args.users * args.jobs

    def delivered(view: JobView) -> None:
        shown.setdefault(view.job_id, []).append((time.perf_counter(), view.progress, view.ended))
        if sum(1 for marks in shown.values() if marks[-1][2]) == jobs:
            done.set()

    async with (
        open_redis(redis_url) as redis,
        running_server(fake.app()) as server,
        open_http(
            f"{server.url}/api/v10", timeout_s=30.0, headers={"Authorization": f"Bot {TOKEN}"}
        ) as session,
    ):
        notifier = Notifier(redis, DiscordRest(session), domains=["bench"], on_delivered=delivered)
        running = asyncio.create_task(notifier.run())
        await asyncio.sleep(0.2)
        events: list[Event] = [
            JobProgress(
                domain="bench",
                job_id=f"u{user}-j{job}",
                user_id=user,
                progress=step * 99 // args.events,
            )
            for step in range(1, args.events + 1)
            for user in range(1, args.users + 1)
            for job in range(args.jobs)
        ]
        events += [
            JobCompleted(
                domain="bench", job_id=f"u{u}-j{j}", user_id=u, result_id="r", result_bytes=1
            )
            for u in range(1, args.users + 1)
            for j in range(args.jobs)
        ]
        published: list[tuple[float, str, int]] = []
        publisher = EventPublisher(redis, maxlen=len(events) + 1)
        start = time.perf_counter()
        for first in range(0, len(events), BATCH):
            batch = events[first : first + BATCH]
            await publisher.publish_many(batch)
            now = time.perf_counter()
            published += [
                (now, e.job_id, e.progress if isinstance(e, JobProgress) else 100)
                for e in batch
                if isinstance(e, JobProgress | JobCompleted)
            ]
        await done.wait()
        handled = time.perf_counter() - start
        await cancel_and_wait(running)
    lags = []
    for at, job_id, progress in published:
        first_shown = next(
            t for t, p, ended in shown[job_id] if t >= at and (p >= progress or ended)
        )
        lags.append((first_shown - at) * 1000)
    return Report(
        users=args.users,
        jobs=jobs,
        events=len(events),
        seconds=round(handled, 3),
        events_per_s=round(len(events) / handled, 1),
        lag_ms_p50=round(_percentile(lags, 0.50), 1),
        lag_ms_p99=round(_percentile(lags, 0.99), 1),
        lag_ms_max=round(max(lags), 1),
        sends=notifier.stats.sends,
        edits=notifier.stats.edits,
        rate_limited=fake.answered_429,
        violations=fake.violations,
    )


async def _report(args: Args, redis_url: str) -> int:
    report = await measure(args, redis_url)
    sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    return 0


def main(argv: Sequence[str]) -> int:
    """Run the benchmark against a private redis-server; print the report as JSON."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir, RedisServer(pathlib.Path(workdir)) as server:
        return asyncio.run(_report(args, server.url))
