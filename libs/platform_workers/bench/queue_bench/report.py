"""What a runner reports, what the benchmark prints, and how the figures are derived."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

NonNegative = Annotated[float, Field(ge=0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RunnerReport(_Frozen):
    """One runner's measurements (its one line of JSON on stdout).

    `enqueue_s`: time to enqueue every job; `process_s`: from the worker being ready to
    the last job finished (its status and result written). Round trips are counted by
    the runner's Redis clients: every request sent and answered (a pipeline is one).
    """

    jobs: Annotated[int, Field(ge=1)]
    concurrency: Annotated[int, Field(ge=1)]
    enqueue_s: NonNegative
    process_s: NonNegative
    enqueue_round_trips: Annotated[int, Field(ge=0)]
    worker_round_trips: Annotated[int, Field(ge=0)]


class RoundTrips(_Frozen):
    """Redis round trips per job."""

    enqueue: float
    worker: float
    total: float


class Row(_Frozen):
    """One queue's figures."""

    queue: str
    jobs: int
    enqueue_jobs_per_s: float
    processed_jobs_per_s: float
    round_trips_per_job: RoundTrips
    commands_per_job: float


class Goal(_Frozen):
    """The benchmark's goal: 2x the best anchor's processed jobs/s, at most 3 round trips."""

    best_anchor: str
    speedup_over_best_anchor: float
    round_trips_per_job: float
    met: bool


class Benchmark(_Frozen):
    """Everything the benchmark prints."""

    jobs: int
    concurrency: int
    rounds: int
    redis_version: str
    rows: list[Row]
    goal: Goal | None


def row(queue: str, report: RunnerReport, commands: int) -> Row:
    """The figures of one run."""
    jobs = report.jobs
    return Row(
        queue=queue,
        jobs=jobs,
        enqueue_jobs_per_s=round(jobs / report.enqueue_s, 1),
        processed_jobs_per_s=round(jobs / report.process_s, 1),
        round_trips_per_job=RoundTrips(
            enqueue=round(report.enqueue_round_trips / jobs, 3),
            worker=round(report.worker_round_trips / jobs, 3),
            total=round((report.enqueue_round_trips + report.worker_round_trips) / jobs, 3),
        ),
        commands_per_job=round(commands / jobs, 2),
    )


def _processed(r: Row) -> float:
    return r.processed_jobs_per_s


def median(rows: list[Row]) -> Row:
    """The run with the median processed jobs/s (the upper one of an even count)."""
    ranked = sorted(rows, key=_processed)
    return ranked[len(ranked) // 2]


def goal(ours: Row, anchors: list[Row]) -> Goal:
    """How `ours` compares with the fastest anchor."""
    best = max(anchors, key=_processed)
    speedup = round(ours.processed_jobs_per_s / best.processed_jobs_per_s, 2)
    trips = ours.round_trips_per_job.total
    return Goal(
        best_anchor=best.queue,
        speedup_over_best_anchor=speedup,
        round_trips_per_job=trips,
        met=speedup >= 2 and trips <= 3,
    )


def command_calls(info: str, *, ignore: tuple[str, ...] = ("info", "config|")) -> int:
    """Commands run, from INFO commandstats (`cmdstat_<name>:calls=<n>,...` lines)."""
    total = 0
    for line in info.splitlines():
        if not line.startswith("cmdstat_"):
            continue
        name, _, stats = line.removeprefix("cmdstat_").partition(":")
        if name.startswith(ignore):
            continue
        fields = dict(part.split("=", 1) for part in stats.split(","))
        total += int(fields["calls"])
    return total


def markdown(benchmark: Benchmark) -> str:
    """The rows as a Markdown table (for docs/queue.md)."""
    lines = [
        "| queue | enqueue jobs/s | processed jobs/s | round trips/job (enqueue + worker) "
        "| Redis commands/job |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in benchmark.rows:
        trips = r.round_trips_per_job
        lines.append(
            f"| {r.queue} | {r.enqueue_jobs_per_s:,.0f} | {r.processed_jobs_per_s:,.0f} "
            f"| {trips.total:.2f} ({trips.enqueue:.2f} + {trips.worker:.2f}) "
            f"| {r.commands_per_job:.1f} |"
        )
    return "\n".join(lines)
