"""A job's status as stored in its hash, parsed into typed models.

The hash `{<queue>}:job:<id>` holds: `status` (queued | processing | completed | failed),
`task`, `user_id`, `payload` (JSON), `created_at`/`updated_at`/`started_at`/`finished_at`/
`run_at` (Redis clock, ms since the epoch), `attempts` (starts so far), `worker`,
`progress`, `message`, `result` (JSON), `error_kind`, `error`, `cancel` (a requested
cancellation's reason), `entry` (its work stream entry), `ttl` (ms kept once finished)
and one `attempt:<n>` record (JSON) per ended attempt.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

from platform_workers.async_queue.errors import QueueError

JobState = Literal["queued", "processing", "completed", "failed"]
ErrorKind = Literal["user", "system"]
AttemptOutcome = Literal["completed", "failed", "cancelled", "interrupted", "lost"]


def _from_ms(value: object) -> object:
    if isinstance(value, str) and value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    return value


Timestamp = Annotated[datetime, BeforeValidator(_from_ms)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Attempt(_Frozen):
    """One ended run of a job: who ran it, when, and how it ended.

    `lost`: its worker died or lost the lease (another worker ran the job again);
    `interrupted`: its worker shut down before it finished (the job was queued again).
    """

    number: int
    worker: str
    started_at: Timestamp
    ended_at: Timestamp
    outcome: AttemptOutcome
    error_kind: ErrorKind | None = None
    error: str | None = None


class _AttemptRecord(_Frozen):
    worker: str
    started_at: Timestamp
    ended_at: Timestamp
    outcome: AttemptOutcome
    error_kind: ErrorKind | None = None
    error: str | None = None


class JobStatus(_Frozen):
    """Where a job is. `result` is the result's JSON (`Queue.result` parses it typed)."""

    job_id: str
    task: str
    status: JobState
    user_id: int
    progress: int
    message: str | None = None
    created_at: Timestamp
    updated_at: Timestamp
    run_at: Timestamp | None = None
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None
    worker: str | None = None
    attempts: int
    history: tuple[Attempt, ...] = ()
    result: str | None = None
    error_kind: ErrorKind | None = None
    error: str | None = None
    cancel_requested: str | None = None


class CorruptStatusError(QueueError):
    """A job's status hash does not hold what the queue writes."""


_PLAIN = (
    "task",
    "status",
    "user_id",
    "progress",
    "message",
    "created_at",
    "updated_at",
    "run_at",
    "started_at",
    "finished_at",
    "worker",
    "attempts",
    "result",
    "error_kind",
    "error",
)


def parse_status(job_id: str, fields: dict[str, str]) -> JobStatus:
    """The status in a job's hash fields (raises `CorruptStatusError` if malformed)."""
    try:
        history: list[Attempt] = []
        for name, text in fields.items():
            if name.startswith("attempt:"):
                record = _AttemptRecord.model_validate_json(text)
                history.append(
                    Attempt(
                        number=int(name.removeprefix("attempt:")),
                        worker=record.worker,
                        started_at=record.started_at,
                        ended_at=record.ended_at,
                        outcome=record.outcome,
                        error_kind=record.error_kind,
                        error=record.error,
                    )
                )
        history.sort(key=lambda attempt: attempt.number)
        data: dict[str, object] = {name: fields[name] for name in _PLAIN if name in fields}
        data.update(job_id=job_id, history=history, cancel_requested=fields.get("cancel"))
        return JobStatus.model_validate(data)
    except ValueError as exc:
        raise CorruptStatusError(f"job {job_id}: malformed status hash: {exc}") from exc
