"""`Job[P, R]`: one job read typed, from its status hash, with its task's models.

`Queue.job(task, job_id)` reads the hash in one round trip (`HGETALL`) and parses it
here: the status fields (as `JobStatus`), the payload as `task.payload` and, once the
job has completed, the result as `task.result`. A hash that does not hold what the
queue writes raises a `CorruptStatusError`; a payload or result that does not parse
with the task's model raises its precise subclass.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Generic

from pydantic import ValidationError

from platform_workers.async_queue.errors import TaskMismatchError
from platform_workers.async_queue.status import (
    Attempt,
    CorruptStatusError,
    ErrorKind,
    JobState,
    JobStatus,
    parse_status,
)
from platform_workers.async_queue.tasks import P, R, Task


class CorruptPayloadError(CorruptStatusError):
    """A job's stored payload is missing or does not parse with its task's payload model."""


class CorruptResultError(CorruptStatusError):
    """A completed job's stored result is missing or does not parse with its task's model."""


@dataclass(frozen=True, slots=True)
class Job(Generic[P, R]):
    """A job of task `Task[P, R]`: its status fields, its payload and, once `completed`,
    its result (None while queued or running, and once failed: see `error_kind`/`error`).

    The fields other than `payload` and `result` are `JobStatus`'s (docs/queue.md).
    """

    job_id: str
    task: str
    status: JobState
    user_id: int
    progress: int
    message: str | None
    created_at: datetime
    updated_at: datetime
    run_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    worker: str | None
    attempts: int
    history: tuple[Attempt, ...]
    error_kind: ErrorKind | None
    error: str | None
    cancel_requested: str | None
    payload: P
    result: R | None


def typed_result(task: Task[P, R], status: JobStatus) -> R | None:
    """`status`'s result parsed with `task.result` once completed, else None.

    Raises `CorruptResultError` for a completed job without a result, or whose result
    does not parse.
    """
    if status.status != "completed":
        return None
    if status.result is None:
        raise CorruptResultError(f"job {status.job_id}: completed without a result")
    try:
        return task.result.model_validate_json(status.result)
    except ValidationError as exc:
        raise CorruptResultError(
            f"job {status.job_id}: result is not a valid {task.result.__name__}: {exc}"
        ) from exc


def _payload(task: Task[P, R], job_id: str, text: str | None) -> P:
    if text is None:
        raise CorruptPayloadError(f"job {job_id}: no payload")
    try:
        return task.payload.model_validate_json(text)
    except ValidationError as exc:
        raise CorruptPayloadError(
            f"job {job_id}: payload is not a valid {task.payload.__name__}: {exc}"
        ) from exc


def parse_job(task: Task[P, R], job_id: str, fields: dict[str, str]) -> Job[P, R]:
    """The `task` job in a job hash's fields.

    Raises `TaskMismatchError` when the job belongs to another task, `CorruptStatusError`
    for a malformed hash, `CorruptPayloadError`/`CorruptResultError` for a payload/result
    that its task's model does not accept.
    """
    status = parse_status(job_id, fields)
    if status.task != task.name:
        raise TaskMismatchError(f"job {job_id} is a {status.task} job, not {task.name}")
    payload = _payload(task, job_id, fields.get("payload"))
    return Job(
        job_id=status.job_id,
        task=status.task,
        status=status.status,
        user_id=status.user_id,
        progress=status.progress,
        message=status.message,
        created_at=status.created_at,
        updated_at=status.updated_at,
        run_at=status.run_at,
        started_at=status.started_at,
        finished_at=status.finished_at,
        worker=status.worker,
        attempts=status.attempts,
        history=status.history,
        error_kind=status.error_kind,
        error=status.error,
        cancel_requested=status.cancel_requested,
        payload=payload,
        result=typed_result(task, status),
    )
