"""A worker's view of one job it holds: `RunningJob` (the state while it is held) and
`Finish` (how it ended, waiting for the batched FINISH call).

A job is held from the moment its stream entry is read (or reclaimed) until its FINISH
call returns; its handler runs in its own asyncio task. `stop` records why the worker
stopped the handler (a cancellation, a shutdown, a lost lease, an abort), which decides
how the job is finished.
"""

import asyncio
import re
from dataclasses import dataclass
from typing import Literal

from platform_workers.async_queue.context import JobContext
from platform_workers.async_queue.errors import QueueError
from platform_workers.async_queue.tasks import NO_RETRY, Completion, RetryPolicy
from platform_workers.async_redis import StreamEntry

Outcome = Literal["completed", "failed", "cancelled", "retry", "interrupted", "requeue"]
"""How FINISH ends a job: completed | failed | cancelled (failed, the user's doing) |
retry (back to the queue, maybe delayed) | interrupted (its worker shut down: queued
again) | requeue (read by a stopping worker: back to the queue, never begun)."""

StopReason = Literal["cancel", "shutdown", "lost", "abort"]
"""Why a worker stopped a handler."""

# what `Queue.enqueue` writes: a signed 64-bit integer in ASCII digits (`str.isdigit`
# also takes '²', which `int` refuses)
_USER_ID = re.compile(r"-?[0-9]{1,19}")


@dataclass(slots=True, eq=False, kw_only=True)
class RunningJob:
    """A job this worker holds: its stream entry with the delivery count it was given (the
    lease fence), and its handler's task once START said `run`."""

    entry: str
    job_id: str
    user_id: int
    task: str
    deliveries: int
    attempt: int = 0
    handler: "asyncio.Task[None] | None" = None
    begun: bool = False  # whether `handler` has taken its first step
    stop: StopReason | None = None
    cancel_reason: str = ""


def entry_job(entry: StreamEntry, deliveries: int) -> RunningJob | None:
    """The job a stream entry names, or None for a malformed entry."""
    fields = entry.fields or {}
    job_id, user, task = fields.get("job"), fields.get("user"), fields.get("task")
    if job_id is None or user is None or task is None or _USER_ID.fullmatch(user) is None:
        return None
    return RunningJob(
        entry=entry.id, job_id=job_id, user_id=int(user), task=task, deliveries=deliveries
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Finish:
    """How one held job ends (a row of FINISH's `jobs`).

    `ran`: whether its handler began (its attempt gets an `attempt:<n>` record); `kind`:
    `user` or `system` for a failure; `value`: the result's JSON, or the error message;
    `event`: the lifecycle event's wire text (empty when there is none); `delay_ms`: how
    long a retried job waits in the delayed set.
    """

    job: RunningJob
    outcome: Outcome
    ran: bool
    kind: str = ""
    value: str = ""
    event: str = ""
    delay_ms: int = 0

    def row(self) -> dict[str, str | int | bool]:
        """The job as FINISH's Lua reads it (`j.entry`, `j.outcome`, ...)."""
        job = self.job
        return {
            "entry": job.entry,
            "deliveries": job.deliveries,
            "job_id": job.job_id,
            "outcome": self.outcome,
            "ran": self.ran,
            "kind": self.kind,
            "value": self.value,
            "event": self.event,
            "delay_ms": self.delay_ms,
        }


class UnknownTaskError(QueueError):
    """A job names a task this worker has no handler for."""


@dataclass(frozen=True, slots=True)
class MissingHandler:
    """Stands in for the handler of a task this worker does not know (the job fails)."""

    name: str
    retry: RetryPolicy = NO_RETRY
    timeout_s: float | None = None

    async def run(self, payload_json: str, ctx: JobContext) -> Completion:
        """Fail: no handler."""
        raise UnknownTaskError(f"no handler for task {self.name!r} in this worker")
