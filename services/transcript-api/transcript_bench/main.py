"""`bazel run //services/transcript-api:benchmark`: concurrent captions against a slow YouTube.

Starts the fake YouTube in this process (every response delayed by `--latency-ms`,
default 200) and the transcript-api server (with its loop-lag sampler) as a child
process, then `--concurrency` clients (default 200, one connection each) each send
`--rounds` `POST /v1/captions` back to back. Meanwhile a prober sends `GET /healthz`
every 50 ms. Prints one JSON object: captions requests/s and latency percentiles, the
prober's latency, and the server's event-loop lag during the load. A yt-dlp call in the
server takes two YouTube round trips (probe, subtitle file), so the best possible
captions latency is about 2 x latency; `/healthz` latency and loop lag stay in
milliseconds only if the loop is never blocked by yt-dlp.
"""

import argparse
import asyncio
import json
import os
import pathlib
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from http import HTTPStatus
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from platform_core.http_testing import running_server
from transcript_api_testing.fake_youtube import (
    FAKE_YOUTUBE_ENV,
    FakeSubtitle,
    FakeVideo,
    FakeYouTube,
)
from transcript_bench.http1 import Http1Client
from transcript_bench.lag import LagSamples
from transcript_bench.server import LAG_FILE_ENV
from transcript_bench.stats import Latency, latency

PROBE_EVERY_S = 0.05
START_TIMEOUT_S = 120.0
VTT = FakeSubtitle("vtt", "WEBVTT\n\n00:00.000 --> 00:02.000\nA benchmark caption line.\n")


class Args(argparse.Namespace):
    """The command line, typed."""

    concurrency: int
    rounds: int
    latency_ms: float
    ytdlp_threads: int | None


class Figures(BaseModel):
    """What the benchmark prints."""

    model_config = ConfigDict(frozen=True)

    concurrency: int
    requests: int
    errors: int
    youtube_latency_ms: float
    ytdlp_threads: int | None
    elapsed_s: float
    requests_per_s: float
    captions: Latency
    healthz_during_load: Latency
    server_loop_lag: Latency


class _LogLine(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message: str
    url: str | None = None


def video_id(n: int) -> str:
    """The n-th benchmark video's 11-character id."""
    return f"bench{n:06d}"


def listening_url(log: pathlib.Path) -> str | None:
    """The server's URL from its `listening` log line, once written."""
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            record = _LogLine.model_validate_json(line)
            if record.message == "listening":
                return record.url
    return None


@asynccontextmanager
async def server_process(env: Mapping[str, str], log: pathlib.Path) -> AsyncIterator[str]:
    """The benchmark server as a child process; yields its URL, SIGTERMs it at the end."""
    with log.open("wb") as out:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "transcript_bench.server", env=dict(env), stdout=out, stderr=out
        )
    try:
        async with asyncio.timeout(START_TIMEOUT_S):
            url = await asyncio.to_thread(listening_url, log)
            while url is None:
                if child.returncode is not None:
                    raise RuntimeError(await asyncio.to_thread(log.read_text))
                await asyncio.sleep(0.05)
                url = await asyncio.to_thread(listening_url, log)
        yield url
    finally:
        if child.returncode is None:
            child.send_signal(signal.SIGTERM)
        await child.wait()


def connect(url: str) -> Http1Client:
    """A client for `http://host:port`."""
    parts = urlsplit(url)
    return Http1Client(parts.hostname or "127.0.0.1", parts.port or 80)


async def client_loop(
    client: Http1Client, videos: Sequence[str], start: asyncio.Event
) -> tuple[list[float], int]:
    """One client: a captions request per video on its connection; durations and errors."""
    durations: list[float] = []
    errors = 0
    await start.wait()
    async with client:
        for video in videos:
            request: dict[str, str] = {"url": f"https://youtu.be/{video}"}
            body = json.dumps(request).encode()
            started = time.perf_counter()
            status, _ = await client.request("POST", "/v1/captions", body)
            durations.append(time.perf_counter() - started)
            errors += status != HTTPStatus.OK
    return durations, errors


async def probe_health(client: Http1Client, stop: asyncio.Event) -> list[float]:
    """`GET /healthz` every `PROBE_EVERY_S` until `stop`; the durations."""
    durations: list[float] = []
    async with client:
        while not stop.is_set():
            started = time.perf_counter()
            await client.request("GET", "/healthz")
            durations.append(time.perf_counter() - started)
            await asyncio.sleep(PROBE_EVERY_S)
    return durations


def server_env(youtube_url: str, lag_file: pathlib.Path, threads: int | None) -> dict[str, str]:
    """The server's environment: the fake YouTube, a Redis it never needs for captions."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join(sys.path),
        "HOME": str(lag_file.parent),
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "OPENAI_API_KEY": "sk-benchmark",
        "HOST": "127.0.0.1",
        "PORT": "0",
        "LOG_LEVEL": "INFO",
        FAKE_YOUTUBE_ENV: youtube_url,
        LAG_FILE_ENV: str(lag_file),
    }
    if threads is not None:
        env["TRANSCRIPT_YTDLP_CONCURRENCY"] = str(threads)
    return env


async def run(args: Args) -> Figures:
    """Run the benchmark; its figures."""
    fake = FakeYouTube(latency_s=args.latency_ms / 1000)
    videos = [video_id(n) for n in range(args.concurrency * args.rounds)]
    for video in videos:
        fake.add(FakeVideo(video, subtitles={"en": [VTT]}))
    with tempfile.TemporaryDirectory(prefix="transcript-bench-") as scratch:
        lag_file = pathlib.Path(scratch) / "lag.json"
        async with running_server(fake.app) as youtube:
            env = server_env(youtube.url, lag_file, args.ytdlp_threads)
            async with server_process(env, pathlib.Path(scratch) / "server.log") as url:
                stop, start = asyncio.Event(), asyncio.Event()
                prober = asyncio.create_task(probe_health(connect(url), stop))
                clients = [
                    client_loop(
                        connect(url), videos[i * args.rounds : (i + 1) * args.rounds], start
                    )
                    for i in range(args.concurrency)
                ]
                load = asyncio.gather(*clients)
                start_wall, started = time.time(), time.perf_counter()
                start.set()
                results = await load
                elapsed = time.perf_counter() - started
                end_wall = time.time()
                stop.set()
                health = await prober
        lags = LagSamples.model_validate_json(await asyncio.to_thread(lag_file.read_text))
    durations = [d for client, _ in results for d in client]
    return Figures(
        concurrency=args.concurrency,
        requests=len(durations),
        errors=sum(errors for _, errors in results),
        youtube_latency_ms=args.latency_ms,
        ytdlp_threads=args.ytdlp_threads,
        elapsed_s=round(elapsed, 3),
        requests_per_s=round(len(durations) / elapsed, 1),
        captions=latency(durations),
        healthz_during_load=latency(health),
        server_loop_lag=latency(lags.between(start_wall, end_wall)),
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument(
        "--ytdlp-threads",
        type=int,
        default=None,
        help="TRANSCRIPT_YTDLP_CONCURRENCY (default: the service's)",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv, namespace=Args())
    return asyncio.run(run_and_print(args))


async def run_and_print(args: Args) -> int:
    """Run, print the figures; the exit status."""
    figures = await run(args)
    sys.stdout.write(figures.model_dump_json(indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
