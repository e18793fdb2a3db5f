"""`bazel run //services/data-bank-api:benchmark [-- --size-mib 1024 --rounds 3]`

Prints one JSON object of figures, all measured in one run on one disk:

- `plain_copy_mb_s`: the large file copied with 1 MiB reads and writes plus fsync (the
  limit for an upload, which the server also writes and fsyncs);
- `upload_mb_s` / `download_mb_s`: the same file through the real server binary (a child
  process, loopback HTTP, a lean client), and their ratios to the plain copy;
- `server_cpu_s_per_gib_*`: the server's CPU time per GiB moved (robust to a busy machine);
- `server_peak_rss_mb`: the server's peak resident memory (VmHWM) after the large
  transfers, against the 150 MB budget (and again after the small-file phase);
- `small_uploads_per_s` / `small_downloads_per_s`: 4 KiB files over 64 keep-alive
  connections at once.

Each large-file figure is the median of `--rounds` alternating copy/upload/download
rounds (the samples are printed too), since a shared machine's disk is noisy.
The data root and the copies live in a fresh directory under `--dir`, removed at the end.
"""

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from pydantic import BaseModel

from data_bank_bench.figures import (
    MIB,
    delete_file,
    download_file,
    make_file,
    mb_per_s,
    plain_copy,
    small_files,
    upload_file,
)
from platform_core.blocking import run_blocking
from platform_core.loadgen import LOOPBACK, child_server, free_port, inherited_env, python_module
from platform_workers.testing.redis_server import RedisServer

KEY = "bench-key"
RSS_BUDGET_MB = 150
GIB = 1024**3


class Args(argparse.Namespace):
    """The command line, typed."""

    size_mib: int
    rounds: int
    connections: int
    per_connection: int
    small_bytes: int
    dir: str


class Samples(BaseModel):
    """Every round's MB/s."""

    plain_copy: list[float]
    upload: list[float]
    download: list[float]


class Figures(BaseModel):
    """What the benchmark prints."""

    file_bytes: int
    stored_sha256_matches: bool
    rounds: int
    plain_copy_mb_s: float
    upload_mb_s: float
    download_mb_s: float
    upload_vs_copy: float
    download_vs_copy: float
    samples_mb_s: Samples
    server_cpu_s_per_gib_upload: float
    server_cpu_s_per_gib_download: float
    server_peak_rss_mb: float
    server_peak_rss_budget_mb: int
    server_peak_rss_within_budget: bool
    small_file_bytes: int
    connections: int
    small_requests: int
    small_uploads_per_s: float
    small_downloads_per_s: float
    server_peak_rss_after_small_mb: float
    cpus: int
    load_average_1m_at_start: float


def parse_args(argv: list[str]) -> Args:
    """The benchmark's options."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mib", type=int, default=1024, help="large file size (MiB)")
    parser.add_argument("--rounds", type=int, default=3, help="large-file rounds (median)")
    parser.add_argument("--connections", type=int, default=64, help="parallel connections")
    parser.add_argument("--per-connection", type=int, default=32, help="small files each")
    parser.add_argument("--small-bytes", type=int, default=4096, help="small file size")
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where to work (one disk)")
    return parser.parse_args(argv, namespace=Args())


def _mb(size: int) -> float:
    return round(size / 1e6, 1)


async def measure(args: Args, workdir: Path) -> Figures:
    """Run every measurement in `workdir`."""
    load = os.getloadavg()[0]
    size = args.size_mib * MIB
    source = workdir / "source.bin"
    digest = await run_blocking(make_file, source, size)
    samples = Samples(plain_copy=[], upload=[], download=[])
    upload_cpu = download_cpu = 0.0
    stored_as_hashed = True
    with RedisServer(workdir / "redis") as redis:
        port = free_port()
        env = {
            "REDIS_URL": redis.url,
            "API_UPLOAD_KEYS": KEY,
            "DATA_ROOT": str(workdir / "data"),
            "MIN_FREE_GB": "0",
            "HOST": LOOPBACK,
            "PORT": str(port),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
        }
        command = python_module("data_bank_api.server")
        async with child_server(
            command, port=port, env=inherited_env(env), ready_path="/healthz"
        ) as server:
            for _ in range(args.rounds):
                copy_s = await run_blocking(plain_copy, source, workdir / "copy.bin")
                await run_blocking((workdir / "copy.bin").unlink)
                samples.plain_copy.append(mb_per_s(size, copy_s))
                before = server.cpu_seconds()
                upload_s, file_id = await upload_file(port, KEY, source)
                middle = server.cpu_seconds()
                download_s, downloaded = await download_file(port, KEY, file_id)
                upload_cpu += middle - before
                download_cpu += server.cpu_seconds() - middle
                samples.upload.append(mb_per_s(size, upload_s))
                samples.download.append(mb_per_s(downloaded, download_s))
                stored_as_hashed = stored_as_hashed and file_id == digest
                await delete_file(port, KEY, file_id)
            peak = server.peak_rss_bytes()
            uploads, downloads = await small_files(
                port,
                KEY,
                connections=args.connections,
                per_connection=args.per_connection,
                size=args.small_bytes,
            )
            peak_after = server.peak_rss_bytes()
    copy = round(statistics.median(samples.plain_copy), 2)
    upload = round(statistics.median(samples.upload), 2)
    download = round(statistics.median(samples.download), 2)
    moved_gib = size * args.rounds / GIB
    return Figures(
        file_bytes=size,
        stored_sha256_matches=stored_as_hashed,
        rounds=args.rounds,
        plain_copy_mb_s=copy,
        upload_mb_s=upload,
        download_mb_s=download,
        upload_vs_copy=round(upload / copy, 3),
        download_vs_copy=round(download / copy, 3),
        samples_mb_s=samples,
        server_cpu_s_per_gib_upload=round(upload_cpu / moved_gib, 2),
        server_cpu_s_per_gib_download=round(download_cpu / moved_gib, 2),
        server_peak_rss_mb=_mb(peak),
        server_peak_rss_budget_mb=RSS_BUDGET_MB,
        server_peak_rss_within_budget=peak / 1e6 < RSS_BUDGET_MB,
        small_file_bytes=args.small_bytes,
        connections=args.connections,
        small_requests=args.connections * args.per_connection,
        small_uploads_per_s=uploads,
        small_downloads_per_s=downloads,
        server_peak_rss_after_small_mb=_mb(peak_after),
        cpus=os.cpu_count() or 1,
        load_average_1m_at_start=round(load, 2),
    )


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures as JSON."""
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="databank-bench-", dir=args.dir))
    try:
        figures = asyncio.run(measure(args, workdir))
    finally:
        shutil.rmtree(workdir)
    sys.stdout.write(figures.model_dump_json(indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
