"""`platform_workers.async_queue`: a crash-safe, typed, async-native job queue on Redis Streams.

Declare a task once, enqueue it typed, run it in a worker:

    RESIZE = Task("resize", ResizePayload, ResizeResult, retry=RetryPolicy(max_attempts=3))

    queue = Queue(redis, "orders")
    job = await queue.enqueue(RESIZE, ResizePayload(...), user_id=7)
    status = await queue.status(job.job_id)          # JobStatus | None
    typed = await queue.job(RESIZE, job.job_id)      # Job[ResizePayload, ResizeResult] | None
    result = await queue.result(RESIZE, job.job_id)  # ResizeResult | None (raises if failed)
    await queue.cancel(job.job_id)

    async def resize(payload: ResizePayload, ctx: JobContext) -> ResizeResult:
        await ctx.progress(50, "halfway")
        ...

    await run_worker(url, WorkerSettings(queue="orders"), [RESIZE.handler(resize)])

Enqueue, start, progress, finish and cancel are each one atomic Lua call that also
emits the job's lifecycle event (`platform_core.async_events`). Every running job holds
a lease its worker renews; other workers reclaim the jobs of a dead worker when the
lease lapses; a job delivered too often goes to the dead-letter stream. docs/queue.md
has the key schema and every Redis call per job.
"""

from platform_workers.async_queue.client import CancelOutcome, DeadLetter, JobRef, Queue
from platform_workers.async_queue.context import JobContext
from platform_workers.async_queue.errors import (
    JobExistsError,
    JobFailedError,
    JobNotFoundError,
    LeaseLostError,
    QueueError,
    SystemFailureError,
    TaskMismatchError,
    UserError,
)
from platform_workers.async_queue.job import CorruptPayloadError, CorruptResultError, Job
from platform_workers.async_queue.job_state import RunningJob, UnknownTaskError
from platform_workers.async_queue.keys import QueueKeys
from platform_workers.async_queue.runner import run_worker
from platform_workers.async_queue.settings import WorkerSettings
from platform_workers.async_queue.status import (
    Attempt,
    CorruptStatusError,
    JobState,
    JobStatus,
)
from platform_workers.async_queue.tasks import (
    NO_RETRY,
    Handler,
    ResultRef,
    RetryPolicy,
    Runnable,
    Task,
)
from platform_workers.async_queue.worker import Worker
from platform_workers.async_queue.worker_info import WorkerCounts, WorkerRecord

__all__ = [
    "NO_RETRY",
    "Attempt",
    "CancelOutcome",
    "CorruptPayloadError",
    "CorruptResultError",
    "CorruptStatusError",
    "DeadLetter",
    "Handler",
    "Job",
    "JobContext",
    "JobExistsError",
    "JobFailedError",
    "JobNotFoundError",
    "JobRef",
    "JobState",
    "JobStatus",
    "LeaseLostError",
    "Queue",
    "QueueError",
    "QueueKeys",
    "ResultRef",
    "RetryPolicy",
    "Runnable",
    "RunningJob",
    "SystemFailureError",
    "Task",
    "TaskMismatchError",
    "UnknownTaskError",
    "UserError",
    "Worker",
    "WorkerCounts",
    "WorkerRecord",
    "WorkerSettings",
    "run_worker",
]
