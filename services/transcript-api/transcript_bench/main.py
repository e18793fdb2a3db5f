"""`bazel run //services/transcript-api:benchmark`: concurrent captions against a slow YouTube.

Starts the fake YouTube in this process (every response delayed by `--latency-ms`,
default 200) and the transcript-api server (with its loop-lag sampler) as a child
process, then `--concurrency` clients (default 200, one connection each) each send
`--rounds` `POST /v1/captions` back to back (`platform_core.loadgen`). Meanwhile a
prober sends `GET /healthz` every 50 ms. Prints one JSON object: captions requests/s
and latency percentiles, the prober's latency, and the server's event-loop lag during
the load. A yt-dlp call in the server takes two YouTube round trips (probe, subtitle
file), so the best possible captions latency is about 2 x latency; `/healthz` latency
and loop lag stay in milliseconds only if the loop is never blocked by yt-dlp.
"""

import argparse
import asyncio
import json
import os
import pathlib
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager

from pydantic import BaseModel, ConfigDict

from platform_core.blocking import run_blocking
from platform_core.http_testing import running_server
from platform_core.loadgen import (
    LOOPBACK,
    ChildServer,
    ForCount,
    Latency,
    Request,
    UntilSet,
    child_server,
    each,
    free_port,
    import_path,
    latency,
    probe,
    python_module,
    run_load,
)
from transcript_api_testing.fake_youtube import (
    FAKE_YOUTUBE_ENV,
    FakeSubtitle,
    FakeVideo,
    FakeYouTube,
)
from transcript_bench.lag import LagSamples
from transcript_bench.server import LAG_FILE_ENV

PROBE_EVERY_S = 0.05
START_TIMEOUT_S = 120.0
JSON = [("content-type", "application/json")]
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


def video_id(n: int) -> str:
    """The n-th benchmark video's 11-character id."""
    return f"bench{n:06d}"


def captions_requests(rounds: int) -> Callable[[int, int], Request]:
    """Client `connection`'s `number`-th request: captions of its own video."""

    def captions(connection: int, number: int) -> Request:
        request: dict[str, str] = {
            "url": f"https://youtu.be/{video_id(connection * rounds + number)}"
        }
        return Request("POST", "/v1/captions", JSON, json.dumps(request).encode())

    return captions


def bench_server(env: Mapping[str, str], port: int) -> AbstractAsyncContextManager[ChildServer]:
    """The benchmark server (`transcript_bench.server`) as a child process on `port`."""
    return child_server(
        python_module("transcript_bench.server"),
        port=port,
        env=env,
        ready_path="/healthz",
        ready_timeout_s=START_TIMEOUT_S,
    )


def server_env(
    youtube_url: str, lag_file: pathlib.Path, threads: int | None, port: int
) -> dict[str, str]:
    """The server's environment: the fake YouTube, a Redis it never needs for captions."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": import_path(),
        "HOME": str(lag_file.parent),
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "OPENAI_API_KEY": "sk-benchmark",
        "HOST": LOOPBACK,
        "PORT": str(port),
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
        port = free_port()
        async with running_server(fake.app) as youtube:
            env = server_env(youtube.url, lag_file, args.ytdlp_threads, port)
            async with bench_server(env, port):
                stop = asyncio.Event()
                prober = asyncio.create_task(
                    probe(
                        LOOPBACK, port, "/healthz", limit=UntilSet(stop), interval_s=PROBE_EVERY_S
                    )
                )
                try:
                    load = await run_load(
                        LOOPBACK,
                        port,
                        each(captions_requests(args.rounds)),
                        connections=args.concurrency,
                        limit=ForCount(args.rounds),
                    )
                    end_wall = time.time()
                finally:
                    stop.set()
                    health = await prober
        lags = LagSamples.model_validate_json(await run_blocking(lag_file.read_text))
    start_wall = end_wall - load.elapsed_s
    return Figures(
        concurrency=args.concurrency,
        requests=load.requests,
        errors=load.errors,
        youtube_latency_ms=args.latency_ms,
        ytdlp_threads=args.ytdlp_threads,
        elapsed_s=load.elapsed_s,
        requests_per_s=load.requests_per_s,
        captions=load.latency,
        healthz_during_load=health,
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
