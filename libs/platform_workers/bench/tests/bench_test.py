"""The benchmark end to end on a small workload, and its parts."""

import io
import os
import pathlib
import runpy
import sys

import pytest
import queue_bench.main
import queue_bench.ours
from queue_bench.main import BenchmarkError, Runner, run_one
from queue_bench.report import (
    Benchmark,
    RunnerReport,
    command_calls,
    goal,
    markdown,
    row,
)

OURS = os.environ["QUEUE_BENCH_OURS"]
SAQ = os.environ["QUEUE_BENCH_SAQ"]
ARQ = os.environ["QUEUE_BENCH_ARQ"]


def test_every_runner_side_by_side() -> None:
    out = io.StringIO()
    argv = [
        f"--runner=async_queue={OURS}",
        f"--runner=saq={SAQ}",
        f"--runner=arq={ARQ},--poll-delay,0.01",
        "--jobs=40",
        "--concurrency=4",
        "--markdown",
    ]
    assert queue_bench.main.main(argv, out=out) == 0
    figures, table = out.getvalue().split("\n\n")
    result = Benchmark.model_validate_json(figures)
    assert [r.queue for r in result.rows] == ["async_queue", "saq", "arq"]
    assert result.redis_version.startswith("7.")
    for r in result.rows:
        assert r.jobs == 40
        assert r.processed_jobs_per_s > 0
        assert r.commands_per_job > 1
    ours = result.rows[0]
    # 1 per job once Redis has the script (each of the first concurrent calls loads it)
    assert 1 <= ours.round_trips_per_job.enqueue <= 2
    assert result.goal is not None
    assert result.goal.best_anchor in ("saq", "arq")
    assert len(table.strip().splitlines()) == 5


def test_our_runner_alone() -> None:
    out = io.StringIO()
    argv = [f"--runner=ours={OURS}", "--jobs=10", "--rounds=3"]
    assert queue_bench.main.main(argv, out=out) == 0
    result = Benchmark.model_validate_json(out.getvalue())
    assert (result.goal, result.rounds) == (None, 3)
    assert [r.queue for r in result.rows] == ["ours"]


def test_our_runner_in_process(redis_url: str) -> None:
    out = io.StringIO()
    argv = ["--url", redis_url, "--jobs", "25", "--concurrency", "5"]
    assert queue_bench.ours.main(argv, out) == 0
    report = RunnerReport.model_validate_json(out.getvalue())
    assert (report.jobs, report.concurrency) == (25, 5)
    assert 25 <= report.enqueue_round_trips <= 50
    assert report.worker_round_trips < 25


@pytest.mark.parametrize("path", [queue_bench.main.__file__, queue_bench.ours.__file__])
def test_help_as_a_script(
    path: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["benchmark", "--help"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(pathlib.Path(path)), run_name="__main__")
    assert exited.value.code == 0
    assert "--jobs" in capsys.readouterr().out


def test_runner_specs() -> None:
    assert Runner.parse("arq=/x/arq,--poll-delay,0.01") == Runner(
        "arq", "/x/arq", ("--poll-delay", "0.01")
    )
    for bad in ("arq", "=path", "arq="):
        with pytest.raises(ValueError, match="NAME=PATH"):
            Runner.parse(bad)


async def test_failing_and_silent_runners_are_errors(redis_url: str) -> None:
    with pytest.raises(BenchmarkError, match="runner no exited with 1"):
        await run_one(Runner("no", "/bin/false", ()), redis_url, 1, 1)
    with pytest.raises(BenchmarkError, match="runner quiet printed no report"):
        await run_one(Runner("quiet", "/bin/true", ()), redis_url, 1, 1)


def test_figures() -> None:
    def report(process_s: float) -> RunnerReport:
        return RunnerReport(
            jobs=100,
            concurrency=10,
            enqueue_s=0.5,
            process_s=process_s,
            enqueue_round_trips=100,
            worker_round_trips=30,
        )

    fast = row("fast", report(0.25), 2_000)
    slow = row("slow", report(1.0), 900)
    assert (fast.enqueue_jobs_per_s, fast.processed_jobs_per_s, fast.commands_per_job) == (
        200.0,
        400.0,
        20.0,
    )
    assert fast.round_trips_per_job.total == 1.3
    achieved = goal(fast, [slow])
    assert (achieved.best_anchor, achieved.speedup_over_best_anchor, achieved.met) == (
        "slow",
        4.0,
        True,
    )
    assert not goal(slow, [fast]).met
    info = "# Commandstats\r\ncmdstat_get:calls=3,usec=1\r\ncmdstat_info:calls=9,usec=1\r\n"
    info += "cmdstat_config|resetstat:calls=1,usec=1\r\ncmdstat_xadd:calls=4,usec=2\r\n"
    assert command_calls(info) == 7
    table = markdown(
        Benchmark(jobs=100, concurrency=10, rounds=1, redis_version="7", rows=[fast], goal=None)
    )
    assert "| fast | 200 | 400 | 1.30 (1.00 + 0.30) | 20.0 |" in table
