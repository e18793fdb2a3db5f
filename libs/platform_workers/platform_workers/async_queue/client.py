"""`Queue`: enqueue typed jobs, read their status and results, cancel them.

queue = Queue(redis, "tours")
job = await queue.enqueue(STT, SttPayload(url=url), user_id=42)  # one atomic call
status = await queue.status(job.job_id)          # JobStatus | None
typed = await queue.job(STT, job.job_id)         # Job[SttPayload, SttResult] | None (typed payload)
result = await queue.result(STT, job.job_id)     # SttResult | None
await queue.cancel(job.job_id, reason="user request")
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, Literal

from platform_core.async_events import Domain, EventRoute, event_route
from platform_workers.async_queue import lifecycle
from platform_workers.async_queue.errors import (
    JobExistsError,
    JobFailedError,
    JobNotFoundError,
    TaskMismatchError,
)
from platform_workers.async_queue.job import Job, parse_job, typed_result
from platform_workers.async_queue.keys import (
    GROUP,
    USER_ID_MAX,
    USER_ID_MIN,
    QueueKeys,
    check_job_id,
)
from platform_workers.async_queue.scripts import (
    CANCEL,
    ENQUEUE,
    LIVE_WORKERS,
    CancelArgs,
    CancelKeys,
    EnqueueArgs,
    EnqueueKeys,
    NoArgs,
    WorkersKeys,
)
from platform_workers.async_queue.status import JobStatus, parse_status
from platform_workers.async_queue.tasks import P, R, Task
from platform_workers.async_redis import RedisClient, RedisReplyError, commands
from platform_workers.async_redis.reply import StreamEntry

CancelOutcome = Literal["cancelled", "cancelling", "finished", "missing"]
"""`cancelled`: it was queued and never runs; `cancelling`: it is running and its worker
is told to cancel it (it ends `failed`); `finished`: it had already ended; `missing`: no
such job."""

_CANCEL_OUTCOMES: tuple[CancelOutcome, ...] = ("cancelled", "cancelling", "finished", "missing")


@dataclass(frozen=True, slots=True)
class JobRef(Generic[P, R]):
    """An enqueued job: its id and its task (for a typed `Queue.result`)."""

    job_id: str
    task: Task[P, R]


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A job moved to the dead-letter stream after too many deliveries."""

    entry_id: str
    job_id: str
    task: str
    user_id: int
    deliveries: int
    reason: str


def _dead_letter(entry: StreamEntry) -> DeadLetter:
    fields = entry.fields or {}
    try:
        return DeadLetter(
            entry.id,
            fields["job"],
            fields["task"],
            int(fields["user"]),
            int(fields["deliveries"]),
            fields["reason"],
        )
    except (KeyError, ValueError) as exc:
        raise RedisReplyError(f"malformed dead-letter entry {entry!r}") from exc


class Queue:
    """The client side of the queue named after `domain` (its events domain).

    `route` is where lifecycle events go (default: the domain's route from
    `platform_core.async_events`); workers of the queue must use the same.
    """

    def __init__(
        self, redis: RedisClient, domain: Domain, *, route: EventRoute | None = None
    ) -> None:
        self.redis = redis
        self.domain: Domain = domain
        self.keys = QueueKeys(domain)
        self.route = route or event_route(domain)
        if self.route.domain != domain:
            raise ValueError(f"events route of {self.route.domain} given to queue {domain}")

    async def enqueue(
        self,
        task: Task[P, R],
        payload: P,
        *,
        user_id: int,
        job_id: str | None = None,
        delay: timedelta | None = None,
        run_at: datetime | None = None,
    ) -> JobRef[P, R]:
        """Queue a job (status `queued` and its stream entry, in one atomic call).

        `job_id` defaults to a random id; an id whose status still exists raises
        `JobExistsError`. `delay` or `run_at` (aware) hold the job in the delayed set
        until then.
        """
        if not isinstance(payload, task.payload):
            raise TypeError(f"task {task.name} takes {task.payload.__name__}")
        if not USER_ID_MIN <= user_id <= USER_ID_MAX:
            raise ValueError(f"user_id must be a signed 64-bit integer, got {user_id}")
        if delay is not None and run_at is not None:
            raise ValueError("give delay or run_at, not both")
        if run_at is not None:
            if run_at.tzinfo is None:
                raise ValueError("run_at must be timezone-aware")
            delay = run_at - datetime.now(UTC)
        delay_ms = 0 if delay is None else max(0, round(delay.total_seconds() * 1000))
        job_id = check_job_id(job_id) if job_id is not None else uuid.uuid4().hex
        enqueued = await ENQUEUE(
            self.redis,
            EnqueueKeys(
                job=self.keys.job(job_id), stream=self.keys.stream, delayed=self.keys.delayed
            ),
            EnqueueArgs(
                job_id=job_id,
                task=task.name,
                user_id=user_id,
                payload=payload.model_dump_json(),
                ttl_ms=round(task.result_ttl_s * 1000),
                delay_ms=delay_ms,
            ),
        )
        if not enqueued:
            raise JobExistsError(f"job {job_id} exists in queue {self.domain}")
        return JobRef(job_id, task)

    async def status(self, job_id: str) -> JobStatus | None:
        """The job's status, or None when no job has this id (or its status expired)."""
        fields = await self.redis.hgetall(self.keys.job(job_id))
        return parse_status(job_id, fields) if fields else None

    async def job(self, task: Task[P, R], job_id: str) -> Job[P, R] | None:
        """The `task` job typed (status fields, payload, result once completed), or None
        when no job has this id (or its status expired). One round trip (`HGETALL`).

        Raises `TaskMismatchError` when the job is not a `task` job, `CorruptStatusError`
        for a malformed status, and its subclasses `CorruptPayloadError` and
        `CorruptResultError` for a payload or result that `task`'s models reject.
        """
        fields = await self.redis.hgetall(self.keys.job(job_id))
        return parse_job(task, job_id, fields) if fields else None

    async def result(self, task: Task[P, R], job_id: str) -> R | None:
        """The job's typed result once `completed`; None while queued or running.

        Raises `JobFailedError` for a failed job, `JobNotFoundError` for an unknown or
        expired id, `TaskMismatchError` when the job is not a `task` job,
        `CorruptResultError` for a stored result that `task.result` rejects.
        """
        status = await self.status(job_id)
        if status is None:
            raise JobNotFoundError(f"no job {job_id} in queue {self.domain}")
        if status.task != task.name:
            raise TaskMismatchError(f"job {job_id} is a {status.task} job, not {task.name}")
        if status.status == "failed":
            raise JobFailedError(job_id, status.error_kind or "system", status.error or "")
        return typed_result(task, status)

    async def cancel(self, job_id: str, *, reason: str = "cancelled by request") -> CancelOutcome:
        """Cancel a job. A queued job never runs; a running one has its handler cancelled.

        Either way it ends `failed` (`error_kind` user, message `cancelled: <reason>`)
        with a failed event.
        """
        user = await self.redis.hget(self.keys.job(job_id), "user_id")
        if user is None:
            return "missing"
        message = f"cancelled: {reason}"
        route = self.route
        reply = await CANCEL(
            self.redis,
            CancelKeys(
                job=self.keys.job(job_id),
                stream=self.keys.stream,
                delayed=self.keys.delayed,
                events=route.stream,
            ),
            CancelArgs(
                route=route.lua_arg,
                group=GROUP,
                job_id=job_id,
                reason=reason,
                message=message,
                event=lifecycle.failed(self.domain, job_id, int(user), "user", message),
                control=self.keys.control,
            ),
        )
        for outcome in _CANCEL_OUTCOMES:
            if reply == outcome:
                return outcome
        raise RedisReplyError(f"unexpected cancel reply {reply!r}")

    async def dead_letters(self, count: int = 100) -> list[DeadLetter]:
        """The oldest `count` entries of the dead-letter stream."""
        entries = await self.redis.run(commands.xrange(self.keys.dead, count=count))
        return [_dead_letter(entry) for entry in entries]

    async def live_workers(self) -> int:
        """How many workers of this queue have a heartbeat that has not expired."""
        return await LIVE_WORKERS(self.redis, WorkersKeys(workers=self.keys.workers), NoArgs())
