"""The command line: `watch <domain> [<job_id>] [--from now|start|<entry id>] [--until-done]`.

`REDIS_URL` (or `--redis-url`) says which Redis. Without `--from`, a job is shown from the
first event its domain's stream still holds and a whole domain from now. On exit (the
job ended with `--until-done`, Ctrl-C, SIGTERM) it prints the position to resume after.
Exit status: 0, 1 when Redis cannot be reached, 2 for bad arguments or environment.
"""

import argparse
import asyncio
import os
import re
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.console import Console

from job_watch.follow import follow
from job_watch.render import RichSink
from platform_core.async_events import FROM_BEGINNING, check_domain, latest_positions
from platform_core.config import ConfigError, RedisSettings, load_settings
from platform_workers.async_redis import RedisError, open_redis

__all__ = ["EXIT_BAD_USAGE", "EXIT_OK", "EXIT_REDIS", "WatchArgs", "main", "parse_args", "run"]

EXIT_OK = 0
EXIT_REDIS = 1
EXIT_BAD_USAGE = 2

_ENTRY_ID = re.compile(r"[0-9]+(-[0-9]+)?")


@dataclass(frozen=True, slots=True)
class WatchArgs:
    """What to watch, from where."""

    domain: str
    job_id: str | None
    start: str
    until_done: bool
    redis_url: str | None


def _domain(text: str) -> str:
    try:
        return check_domain(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _start(text: str) -> str:
    if text in {"now", "start"} or _ENTRY_ID.fullmatch(text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is not now, start or a stream entry id")


def parse_args(argv: Sequence[str]) -> WatchArgs:
    """The arguments; exits with status 2 and a usage message when they are wrong."""
    parser = argparse.ArgumentParser(
        prog="watch", description="Follow a job, or a whole domain, from its event stream."
    )
    parser.add_argument("domain", type=_domain, help="e.g. trainer, turkic, transcript, qr")
    parser.add_argument("job_id", nargs="?", default=None, help="only this job")
    parser.add_argument(
        "--from",
        dest="start",
        type=_start,
        default=None,
        help="now, start (everything the stream holds) or a stream entry id to resume after",
    )
    parser.add_argument(
        "--until-done", action="store_true", help="exit when the job has completed or failed"
    )
    parser.add_argument("--redis-url", default=None, help="default: $REDIS_URL")
    namespace = parser.parse_args(argv)
    domain: str = namespace.domain
    job_id: str | None = namespace.job_id
    start: str | None = namespace.start
    until_done: bool = namespace.until_done
    redis_url: str | None = namespace.redis_url
    if until_done and job_id is None:
        parser.error("--until-done needs a job_id")
    if start is None:
        start = "now" if job_id is None else "start"
    return WatchArgs(domain, job_id, start, until_done, redis_url)


async def run(
    args: WatchArgs, redis_url: str, console: Console, *, stop: asyncio.Event | None = None
) -> str:
    """Watch until done or stopped (SIGINT/SIGTERM also stop it); the position reached."""
    stopped = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    try:
        async with open_redis(redis_url) as redis:
            if args.start == "now":
                position = (await latest_positions(redis, [args.domain]))[args.domain]
            elif args.start == "start":
                position = FROM_BEGINNING
            else:
                position = args.start
            with RichSink(console) as sink:
                return await follow(
                    redis,
                    args.domain,
                    position,
                    sink,
                    job_id=args.job_id,
                    until_done=args.until_done,
                    stop=stopped,
                )
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def main(
    argv: Sequence[str], environ: Mapping[str, str] = os.environ, console: Console | None = None
) -> int:
    """Run the watch; the exit status."""
    out = console or Console()
    args = parse_args(argv)
    redis_url = args.redis_url
    if redis_url is None:
        try:
            redis_url = load_settings(RedisSettings, environ).redis_url
        except ConfigError as exc:
            out.print(f"watch: {exc}", markup=False)
            return EXIT_BAD_USAGE
    try:
        position = asyncio.run(run(args, redis_url, out))
    except RedisError as exc:
        out.print(f"watch: {exc}", markup=False)
        return EXIT_REDIS
    job = f" {args.job_id}" if args.job_id else ""
    out.print(f"resume with: tools/watch {args.domain}{job} --from {position}", markup=False)
    return EXIT_OK
