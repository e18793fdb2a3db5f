"""`bazel run //services/turkic-api:benchmark [-- --lines N --dump-mb N --job-sentences N]`

Defaults: 20000 lines, a 1024 MiB dump, a 20000-sentence job. Prints the figures as
JSON (see `figures`): a private Redis and the real data-bank-api
server binary are started for the `/healthz` measurement.
"""

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel

from platform_core.blocking import run_blocking
from platform_workers.testing.redis_server import RedisServer
from turkic_api.langid import Py3LangId
from turkic_api.settings import TurkicSettings
from turkic_api_testing.processes import DATA_BANK_SERVER, ServerProcess, data_bank_command
from turkic_api_testing.settings import BANK_KEY, settings_for
from turkic_bench.figures import (
    DumpMemory,
    HealthzLatency,
    Throughput,
    demo_lines,
    dump_memory,
    healthz_during_job,
    throughput,
)

# Not `resolve()`: that follows the runfiles symlink into the source tree, where no
# server binary is.
RUNFILES_BANK = Path(__file__).absolute().parents[3] / "services" / "data-bank-api" / "server"


class Report(BaseModel):
    """Everything the benchmark measured."""

    throughput: Throughput
    dump_memory: DumpMemory
    healthz: HealthzLatency


class Args(argparse.Namespace):
    """The command line, typed."""

    lines: int
    dump_mb: int
    job_sentences: int


def parse(argv: list[str]) -> Args:
    """The options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20_000, help="sentences for throughput")
    parser.add_argument("--dump-mb", type=int, default=1024, help="MiB of dump XML to stream")
    parser.add_argument("--job-sentences", type=int, default=20_000, help="the probed job's size")
    return parser.parse_args(argv, namespace=Args())


async def measure(args: Args, work: Path) -> Report:
    """All three measurements, in this order (the dump last would inflate the peak)."""
    model = await run_blocking(Py3LangId)
    speed = await throughput(model, demo_lines(args.lines), work)
    with RedisServer(work / "redis") as redis:
        bank_env = {
            "REDIS_URL": redis.url,
            "API_UPLOAD_KEYS": BANK_KEY,
            "DATA_ROOT": str(work / "bank"),
            "MIN_FREE_GB": "0",
        }
        with ServerProcess(data_bank_command(), bank_env) as bank:

            def make(dumps_url: str) -> TurkicSettings:
                data_dir = work / "data"
                data_dir.mkdir(exist_ok=True)
                return settings_for(
                    redis_url=redis.url,
                    bank_url=bank.url,
                    dumps_url=dumps_url,
                    datasets_root=work,
                    data_dir=data_dir,
                    key=BANK_KEY,
                )

            healthz = await healthz_during_job(make, args.job_sentences)
            bank.stop()
    memory = await dump_memory(args.dump_mb)
    return Report(throughput=speed, dump_memory=memory, healthz=healthz)


def run(args: Args) -> Report:
    """The measurements in a scratch directory (an event loop of their own)."""
    with tempfile.TemporaryDirectory(prefix="turkic-bench-") as work:
        (Path(work) / "redis").mkdir()
        return asyncio.run(measure(args, Path(work)))


def main(argv: list[str] | None = None, out: TextIO = sys.stdout) -> int:
    """Run the benchmark, print the JSON report; the exit status."""
    args = parse(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault(DATA_BANK_SERVER, str(RUNFILES_BANK))
    return emit(run(args), out)


def emit(report: Report, out: TextIO) -> int:
    """Print the report; exit status 0."""
    out.write(report.model_dump_json(indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
