"""What a worker says about itself: its registry record and its counts."""

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict


class WorkerRecord(BaseModel):
    """A worker's registry record (`{<queue>}:worker:<id>`, expires with its heartbeat)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    worker: str
    host: str
    pid: int
    concurrency: int
    tasks: list[str]


@dataclass(slots=True)
class WorkerCounts:
    """What this worker did (for logs and benchmarks)."""

    started: int = 0
    completed: int = 0
    failed: int = 0
    retried: int = 0
    dead: int = 0
    reclaimed: int = 0
    lost: int = 0
    requeued: int = 0
    renewals: int = 0
