"""`Worker`: runs one queue's jobs, `concurrency` at once on one event loop, crash-safe.

One worker process is one consumer of the queue's consumer group. Its loops:

- fetch: `XREADGROUP COUNT <free slots> BLOCK` (no polling, one connection), then one
  START call for the batch (status `processing`, attempt counted, started events);
  every `poll_ms` a MAINTAIN call reclaims entries whose lease lapsed (their worker
  died) and lists due delayed jobs, which one PROMOTE call moves to the stream;
- finish: handlers that end queue their outcome; one FINISH call per batch writes the
  results and statuses, acks and deletes the entries and emits the events, each job
  fenced on this worker still holding it;
- renew: every `lease_ms / 3`, one RENEW call heartbeats the worker registry and
  renews the lease of every held job (and notices cancellations and lost leases);
- control: a pub/sub subscription on which `Queue.cancel` asks for a running job's
  handler to be cancelled.

It logs one `worker started` line once it is registered, subscribed and fetching, and
one `worker stopped` line when it stops (fields: `worker`, `queue`, `concurrency`, what
it did, and the `error` that stopped it, if any; see `platform_core.logging`).

`run(stop)` returns after a graceful shutdown once `stop` is set: no new work, running
handlers get `grace_period_s` to finish, the rest are cancelled and put back in the
queue (attempt recorded `interrupted`), and the worker leaves the registry. A Redis
failure in any loop stops the worker at once and `run` raises it; the jobs it held stay
pending and other workers reclaim them when their leases lapse.
"""

import asyncio
import json
import logging
import os
import re
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, JsonValue

from platform_core.async_events import Domain, event_route
from platform_core.logging import JOB_ID, log_fields
from platform_workers.async_queue import lifecycle, scripts
from platform_workers.async_queue.context import JobContext
from platform_workers.async_queue.errors import (
    LeaseLostError,
    QueueError,
    SystemFailureError,
    UserError,
)
from platform_workers.async_queue.keys import GROUP, QueueKeys
from platform_workers.async_queue.replies import flags, maintenance, verdicts
from platform_workers.async_queue.settings import WorkerSettings
from platform_workers.async_queue.tasks import NO_RETRY, Completion, RetryPolicy, Runnable
from platform_workers.async_redis import Arg, RedisClient, commands
from platform_workers.async_redis.reply import StreamEntry

log = logging.getLogger(__name__)

Outcome = Literal["completed", "failed", "cancelled", "retry", "interrupted", "requeue"]


class WorkerRecord(BaseModel):
    """A worker's registry record (`{<queue>}:worker:<id>`, expires with its heartbeat)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    worker: str
    host: str
    pid: int
    concurrency: int
    tasks: list[str]


class _CancelRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    job: str
    reason: str


class UnknownTaskError(QueueError):
    """A job names a task this worker has no handler for."""


@dataclass(frozen=True, slots=True)
class _Missing:
    """Stands in for the handler of a task this worker does not know (the job fails)."""

    name: str
    retry: RetryPolicy = NO_RETRY
    timeout_s: float | None = None

    async def run(self, payload_json: str, ctx: JobContext) -> Completion:
        raise UnknownTaskError(f"no handler for task {self.name!r} in this worker")


_StopReason = Literal["cancel", "shutdown", "lost", "abort"]


@dataclass(slots=True, eq=False)
class _Job:
    entry: str
    job_id: str
    user_id: int
    task: str
    deliveries: int
    attempt: int = 0
    handler: "asyncio.Task[None] | None" = None
    begun: bool = False  # whether `handler` has taken its first step
    stop: _StopReason | None = None
    cancel_reason: str = ""


@dataclass(frozen=True, slots=True)
class _Finish:
    job: _Job
    outcome: Outcome
    ran: bool
    kind: str = ""
    value: str = ""
    event: str = ""
    delay_ms: int = 0


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


# what `Queue.enqueue` writes: a signed 64-bit integer in ASCII digits (`str.isdigit`
# also takes '²', which `int` refuses)
_USER_ID = re.compile(r"-?[0-9]{1,19}")


def _entry_job(entry: StreamEntry, deliveries: int) -> _Job | None:
    fields = entry.fields or {}
    job_id, user, task = fields.get("job"), fields.get("user"), fields.get("task")
    if job_id is None or user is None or task is None or _USER_ID.fullmatch(user) is None:
        return None
    return _Job(entry.id, job_id, int(user), task, deliveries)


@dataclass(frozen=True, slots=True)
class _Loops:
    fetch: "asyncio.Task[None]"
    flush: "asyncio.Task[None]"
    renew: "asyncio.Task[None]"
    control: "asyncio.Task[None]"

    def all(self) -> list["asyncio.Task[None]"]:
        return [self.fetch, self.flush, self.renew, self.control]


def _check_running(loops: Sequence["asyncio.Task[None]"]) -> None:
    """Raise the failure of a loop that ended (the loops only end by failing, until
    shutdown; the fetch loop then ends by returning)."""
    for loop in loops:
        if loop.done():
            loop.result()


def _cancel_requested() -> bool:
    """Whether the current task has been asked to cancel (by something else than us)."""
    task: asyncio.Task[object] | None = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class Worker:
    """Runs the jobs of queue `domain` with `handlers` (see the module docstring)."""

    def __init__(
        self,
        redis: RedisClient,
        settings: WorkerSettings,
        handlers: Sequence[Runnable],
        *,
        worker_id: str | None = None,
    ) -> None:
        if not handlers:
            raise ValueError("a worker needs at least one task handler")
        self._handlers: dict[str, Runnable] = {}
        for handler in handlers:
            if handler.name in self._handlers:
                raise ValueError(f"two handlers for task {handler.name!r}")
            self._handlers[handler.name] = handler
        settings.check_timeout(redis.socket_timeout_s)
        self.redis = redis
        self.settings = settings
        domain = settings.queue
        self.domain: Domain = domain
        self.route = event_route(
            domain, maxlen=settings.events_maxlen, approximate=settings.events_approximate
        )
        self.keys = QueueKeys(domain)
        self.id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.counts = WorkerCounts()
        self._record = WorkerRecord(
            worker=self.id,
            host=socket.gethostname(),
            pid=os.getpid(),
            concurrency=self.settings.concurrency,
            tasks=sorted(self._handlers),
        ).model_dump_json()
        self._held: dict[str, _Job] = {}
        self._reserved = 0
        self._slot_free = asyncio.Event()
        self._pending: list[_Finish] = []
        self._finish_ready = asyncio.Event()
        self._renew_stop = asyncio.Event()
        self._subscribed = asyncio.Event()
        self._stopping = False
        self._closing = False
        self._started = False
        self.ready = asyncio.Event()
        """Set once the worker is registered, subscribed to cancellations and fetching."""

    # --- lifecycle -----------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then shut down gracefully (see the module docstring)."""
        if self._started:
            raise RuntimeError("a worker runs once")
        self._started = True
        await self.redis.eval_script(scripts.ENSURE_GROUP, [self.keys.stream], [GROUP, "0"])
        await self._renew()
        control = asyncio.create_task(self._control_loop(), name=f"{self.id} control")
        subscribed = asyncio.create_task(self._subscribed.wait())
        await asyncio.wait([control, subscribed], return_when=asyncio.FIRST_COMPLETED)
        subscribed.cancel()
        loops = _Loops(
            fetch=asyncio.create_task(self._fetch_loop(), name=f"{self.id} fetch"),
            flush=asyncio.create_task(self._flush_loop(), name=f"{self.id} flush"),
            renew=asyncio.create_task(self._renew_loop(), name=f"{self.id} renew"),
            control=control,
        )
        stopper = asyncio.create_task(stop.wait())
        self.ready.set()
        log.info("worker started", extra=self._started_fields())
        try:
            await asyncio.wait([*loops.all(), stopper], return_when=asyncio.FIRST_COMPLETED)
            _check_running(loops.all())
            await self._shutdown(loops)
        except BaseException as exc:
            await self._abort(loops, exc)
            error = f"{type(exc).__name__}: {exc}"
            log.exception("worker stopped", extra=self._stopped_fields(error))
            raise
        finally:
            stopper.cancel()
        log.info("worker stopped", extra=self._stopped_fields(None))

    def _started_fields(self) -> dict[str, object]:
        """The `worker started` line's fields: who, which queue, how it runs."""
        return log_fields(
            worker=self.id,
            queue=self.domain,
            concurrency=self.settings.concurrency,
            tasks=",".join(sorted(self._handlers)),
            lease_ms=self.settings.lease_ms,
        )

    def _stopped_fields(self, error: str | None) -> dict[str, object]:
        """The `worker stopped` line's fields: who, what it did, and the failure that
        stopped it (None after a graceful shutdown)."""
        counts = self.counts
        return log_fields(
            worker=self.id,
            queue=self.domain,
            concurrency=self.settings.concurrency,
            graceful=error is None,
            error=error,
            started=counts.started,
            completed=counts.completed,
            failed=counts.failed,
            retried=counts.retried,
            dead=counts.dead,
            reclaimed=counts.reclaimed,
            lost=counts.lost,
            requeued=counts.requeued,
        )

    async def _shutdown(self, loops: _Loops) -> None:
        self._stopping = True
        self._slot_free.set()
        await loops.fetch
        owners = {job.handler: job for job in self._held.values() if job.handler is not None}
        handlers = {task for task in owners if not task.done()}
        late = await self._await_handlers(loops, handlers, self.settings.grace_period_s)
        for task in late:
            self._stop_handler(owners[task], "shutdown")
        await self._await_handlers(loops, late, self.settings.cancel_wait_s)
        self._closing = True
        self._finish_ready.set()
        await loops.flush
        self._renew_stop.set()
        await loops.renew
        loops.control.cancel()
        await asyncio.wait([loops.control])
        await self.redis.eval_script(
            scripts.DEREGISTER,
            [self.keys.workers, self.keys.worker(self.id), self.keys.stream],
            [GROUP, self.id],
        )

    async def _await_handlers(
        self, loops: _Loops, handlers: set["asyncio.Task[None]"], timeout_s: float
    ) -> set["asyncio.Task[None]"]:
        """Wait up to `timeout_s` for `handlers` to end; return those still running.

        A loop that fails meanwhile raises at once: a stopping worker whose Redis failed
        (its leases are no longer renewed) stops without waiting for its handlers.
        """
        clock = asyncio.get_running_loop()
        deadline = clock.time() + timeout_s
        watched = [loops.flush, loops.renew, loops.control]
        left = set(handlers)
        while left and clock.time() < deadline:
            done, _ = await asyncio.wait(
                [*left, *watched],
                timeout=deadline - clock.time(),
                return_when=asyncio.FIRST_COMPLETED,
            )
            _check_running(watched)
            left -= done
        return left

    async def _abort(self, loops: _Loops, cause: BaseException) -> None:
        """Stop everything without touching Redis; held jobs stay pending for reclaim."""
        for job in self._held.values():
            self._stop_handler(job, "abort")
        tasks = [*loops.all(), *(j.handler for j in self._held.values() if j.handler)]
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        for task in tasks:
            error = None if task.cancelled() else task.exception()
            if error is not None and error is not cause:
                log.error("worker %s: %s also failed", self.id, task.get_name(), exc_info=error)

    @property
    def stopping(self) -> bool:
        """Whether the worker has begun to shut down (it takes no new work)."""
        return self._stopping

    # --- slots -----------------------------------------------------------------------

    def _script_prefix(self) -> list[Arg]:
        """The ARGV every job script starts with: the events route, the group, this consumer."""
        route = self.route
        return [route.lua_arg, GROUP, self.id]

    def _holding_limit(self) -> int:
        """How many pending entries to list when checking this worker's ownership."""
        return len(self._held) + self.settings.concurrency + 16

    def _free(self) -> int:
        return self.settings.concurrency - self._reserved

    def _release_slot(self) -> None:
        self._reserved -= 1
        self._slot_free.set()

    def _drop(self, job: _Job) -> None:
        # only this run of the entry: the entry may be held again, by a later delivery
        if self._held.get(job.entry) is job:
            del self._held[job.entry]

    # --- fetching and starting --------------------------------------------------------

    async def _fetch_loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_maintenance = loop.time()
        ticks = 0
        while True:
            if self._free() <= 0 and not self._stopping:
                self._slot_free.clear()
                await self._slot_free.wait()
                # let handlers that ended in the same tick free their slots too
                await asyncio.sleep(0)
                continue
            if self._stopping:
                return
            if loop.time() >= next_maintenance:
                wait_s = await self._maintain(prune=ticks % self.settings.prune_every == 0)
                ticks += 1
                next_maintenance = loop.time() + wait_s
                continue
            block = round((next_maintenance - loop.time()) * 1000)
            block = max(1, min(self.settings.block_ms, block))
            batches = await self.redis.run(
                commands.xreadgroup(
                    GROUP,
                    self.id,
                    {self.keys.stream: ">"},
                    count=self._free(),
                    block_ms=block,
                )
            )
            jobs = await self._take([(e, 1) for b in batches for e in b.entries])
            if not jobs:
                continue
            if self.stopping:
                for job in jobs:
                    self._queue_finish(_Finish(job, "requeue", ran=False))
                    self._release_slot()
                return
            await self._start(jobs)

    async def _take(self, entries: list[tuple[StreamEntry, int]]) -> list[_Job]:
        """Hold the entries' jobs (one slot each); dead-letter malformed entries."""
        jobs: list[_Job] = []
        malformed: list[StreamEntry] = []
        for entry, deliveries in entries:
            job = _entry_job(entry, deliveries)
            if job is None:
                malformed.append(entry)
                continue
            earlier = self._held.get(job.entry)
            if earlier is not None:
                # reclaimed back after this worker lost it unnoticed (its renewals
                # stalled): the earlier run is another delivery's, and stops as lost
                self._stop_handler(earlier, "lost")
            jobs.append(job)
            self._reserved += 1
            self._held[job.entry] = job
        if malformed:
            await self._quarantine(malformed)
        return jobs

    async def _quarantine(self, entries: list[StreamEntry]) -> None:
        pipe = self.redis.pipeline(transaction=True)
        for entry in entries:
            log.error("queue %s: malformed entry %s dead-lettered", self.domain, entry.id)
            fields = entry.fields or {}
            record: dict[str, Arg] = {
                "job": fields.get("job", ""),
                "task": fields.get("task", ""),
                "user": 0,
                "entry": entry.id,
                "deliveries": 1,
                "reason": f"malformed entry: {fields}",
            }
            pipe.add(commands.xadd(self.keys.dead, record, maxlen=self.settings.dead_maxlen))
            pipe.add(commands.xack(self.keys.stream, GROUP, entry.id))
            pipe.add(commands.xdel(self.keys.stream, entry.id))
        await pipe.execute()

    async def _maintain(self, *, prune: bool) -> float:
        """Reclaim lapsed leases and promote due delayed jobs; seconds until next time."""
        cfg = self.settings
        reply = await self.redis.eval_script(
            scripts.MAINTAIN,
            [self.keys.stream, self.keys.delayed, self.keys.workers],
            [
                GROUP,
                self.id,
                cfg.lease_ms,
                self._free(),
                cfg.reclaim_scan,
                cfg.delayed_batch,
                "1" if prune else "0",
            ],
        )
        found = maintenance(reply)
        if found.due:
            await self.redis.eval_script(
                scripts.PROMOTE,
                [self.keys.stream, self.keys.delayed, *map(self.keys.job, found.due)],
                list[Arg](found.due),
            )
        wait_s = cfg.poll_ms / 1000
        if len(found.due) == cfg.delayed_batch:
            wait_s = 0.0
        elif found.next_due_ms >= 0:
            wait_s = min(wait_s, max(0.0, (found.next_due_ms - found.now_ms) / 1000))
        jobs = await self._take(
            [(StreamEntry(c.entry, c.fields), c.deliveries) for c in found.claimed]
        )
        if jobs:
            self.counts.reclaimed += len(jobs)
            log.warning("queue %s: reclaimed %d jobs whose lease lapsed", self.domain, len(jobs))
            await self._start(jobs)
        return wait_s

    async def _start(self, jobs: list[_Job]) -> None:
        route, cfg = self.route, self.settings
        keys = [self.keys.stream, route.stream, self.keys.dead]
        batch: list[list[str | int]] = []
        for job in jobs:
            keys.append(self.keys.job(job.job_id))
            if job.deliveries > cfg.max_deliveries:
                message = (
                    f"dead-lettered: delivered {job.deliveries} times without finishing "
                    f"(max {cfg.max_deliveries})"
                )
                event = lifecycle.failed(self.domain, job.job_id, job.user_id, "system", message)
                batch.append([job.entry, job.deliveries, job.job_id, "dead", event, message])
            else:
                event = lifecycle.started(self.domain, job.job_id, job.user_id)
                batch.append([job.entry, job.deliveries, job.job_id, "run", event, ""])
        args: list[Arg] = [
            *self._script_prefix(),
            cfg.dead_maxlen,
            self._holding_limit(),
            json.dumps(batch),
        ]
        reply = await self.redis.eval_script(scripts.START, keys, args)
        for job, verdict in zip(jobs, verdicts(reply, len(jobs)), strict=True):
            if verdict.word == "run":
                job.attempt = verdict.number
                self.counts.started += 1
                runnable = self._handlers.get(job.task) or _Missing(job.task)
                job.handler = asyncio.create_task(self._execute(job, runnable, verdict.text))
                continue
            self._release_slot()
            if verdict.word == "cancel":
                message = f"cancelled: {verdict.text}"
                event = lifecycle.failed(self.domain, job.job_id, job.user_id, "user", message)
                self._queue_finish(_Finish(job, "cancelled", False, "user", message, event))
                continue
            if verdict.word == "dead":
                self.counts.dead += 1
                log.error("queue %s: job %s dead-lettered", self.domain, job.job_id)
            self._drop(job)

    # --- running ---------------------------------------------------------------------

    async def _execute(self, job: _Job, runnable: Runnable, payload: str) -> None:
        # Each handler runs in its own asyncio task, with its own copy of the context:
        # every line it logs carries its job id, and no other job sees it.
        job.begun = True
        JOB_ID.set(job.job_id)
        if job.stop is not None:
            # stopped (cancelled, or its lease lost) before the handler began: while
            # START was on its way, or between this task's creation and its first step
            self._release_slot()
            self._settle(job, self._cancelled(job, runnable))
            return
        await self._run(job, runnable, payload)

    async def _run(self, job: _Job, runnable: Runnable, payload: str) -> None:
        ctx = JobContext(
            job_id=job.job_id,
            user_id=job.user_id,
            task=job.task,
            queue=self.domain,
            attempt=job.attempt,
            reporter=lambda percent, message, data: self._progress(job, percent, message, data),
        )
        finish: _Finish | None
        timeout = asyncio.timeout(runnable.timeout_s)
        try:
            async with timeout:
                completion = await runnable.run(payload, ctx)
            event = lifecycle.completed(
                self.domain,
                job.job_id,
                job.user_id,
                completion.ref.result_id,
                completion.ref.result_bytes,
            )
            finish = _Finish(job, "completed", True, "", completion.result_json, event)
        except asyncio.CancelledError:
            if job.stop is None and _cancel_requested():
                self._drop(job)  # the event loop is being torn down under the worker
                raise
            finish = self._cancelled(job, runnable)
        except UserError as exc:
            finish = self._failure(job, runnable, "user", str(exc) or type(exc).__name__)
        except SystemFailureError as exc:
            log.warning("queue %s: job %s (%s) failed: %s", self.domain, job.job_id, job.task, exc)
            finish = self._failure(job, runnable, "system", str(exc) or type(exc).__name__)
        except Exception as exc:
            if timeout.expired():
                message = f"timed out after {runnable.timeout_s}s"
            else:
                message = f"{type(exc).__name__}: {exc}"
                log.exception("queue %s: job %s (%s) failed", self.domain, job.job_id, job.task)
            finish = self._failure(job, runnable, "system", message)
        finally:
            self._release_slot()
        self._settle(job, finish)

    def _settle(self, job: _Job, finish: _Finish | None) -> None:
        """Queue the job's finish, or forget it (its lease is lost: someone else runs it)."""
        if finish is None:
            self._drop(job)
        else:
            self._queue_finish(finish)

    def _cancelled(self, job: _Job, runnable: Runnable) -> _Finish | None:
        if job.stop is None:
            message = "CancelledError: the handler cancelled itself"
            return self._failure(job, runnable, "system", message)
        if job.stop == "cancel":
            message = f"cancelled: {job.cancel_reason}"
            event = lifecycle.failed(self.domain, job.job_id, job.user_id, "user", message)
            return _Finish(job, "cancelled", True, "user", message, event)
        if job.stop == "shutdown":
            return _Finish(job, "interrupted", True, "", "worker shut down")
        return None

    def _failure(self, job: _Job, runnable: Runnable, kind: str, message: str) -> _Finish:
        if kind == "system" and runnable.retry.retries_after(job.attempt):
            delay = runnable.retry.delay_ms(job.attempt)
            return _Finish(job, "retry", True, kind, message, "", delay)
        error_kind: Literal["user", "system"] = "user" if kind == "user" else "system"
        event = lifecycle.failed(self.domain, job.job_id, job.user_id, error_kind, message)
        return _Finish(job, "failed", True, kind, message, event)

    def _stop_handler(self, job: _Job, reason: _StopReason, cancel_reason: str = "") -> None:
        """Cancel the job's handler. One that has not begun is not cancelled (a task
        cancelled before its first step never runs its body, so the job would never be
        settled): it sees `job.stop` when it begins and runs no handler (`_execute`)."""
        if job.stop is not None or (job.handler is not None and job.handler.done()):
            return
        job.stop = reason
        job.cancel_reason = cancel_reason
        if job.handler is not None and job.begun:
            job.handler.cancel()

    async def _progress(
        self, job: _Job, percent: int, message: str | None, payload: JsonValue
    ) -> None:
        route = self.route
        event = lifecycle.progress(
            self.domain, job.job_id, job.user_id, percent=percent, message=message, payload=payload
        )
        reply = await self.redis.eval_script(
            scripts.PROGRESS,
            [self.keys.stream, route.stream, self.keys.job(job.job_id)],
            [
                *self._script_prefix(),
                job.entry,
                job.deliveries,
                percent,
                message or "",
                event,
            ],
        )
        if reply != 1:
            raise LeaseLostError(f"job {job.job_id}: this worker no longer holds it")

    # --- finishing -------------------------------------------------------------------

    def _queue_finish(self, finish: _Finish) -> None:
        self._pending.append(finish)
        self._finish_ready.set()

    async def _flush_loop(self) -> None:
        while not (self._closing and not self._pending):
            if not self._pending:
                self._finish_ready.clear()
                await self._finish_ready.wait()
                continue
            batch, self._pending = self._pending, []
            await self._finish(batch)

    async def _finish(self, batch: list[_Finish]) -> None:
        route = self.route
        keys = [self.keys.stream, route.stream, self.keys.delayed]
        jobs: list[list[str | int | bool]] = []
        for item in batch:
            job = item.job
            keys.append(self.keys.job(job.job_id))
            jobs.append(
                [
                    job.entry,
                    job.deliveries,
                    job.job_id,
                    item.outcome,
                    item.ran,
                    item.kind,
                    item.value,
                    item.event,
                    item.delay_ms,
                ]
            )
        args: list[Arg] = [
            *self._script_prefix(),
            self._holding_limit(),
            json.dumps(jobs),
        ]
        reply = await self.redis.eval_script(scripts.FINISH, keys, args)
        for item, done in zip(batch, flags(reply, len(batch)), strict=True):
            self._drop(item.job)
            if not done:
                self.counts.lost += 1
                log.warning(
                    "queue %s: job %s not finished here: its lease was lost or it changed",
                    self.domain,
                    item.job.job_id,
                )
            elif item.outcome == "completed":
                self.counts.completed += 1
            elif item.outcome == "retry":
                self.counts.retried += 1
            elif item.outcome in ("interrupted", "requeue"):
                self.counts.requeued += 1
            else:
                self.counts.failed += 1

    # --- leases, registry, control ------------------------------------------------------

    async def _renew_loop(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self.settings.renew_s):
                    await self._renew_stop.wait()
                return
            except TimeoutError:
                await self._renew()

    async def _renew(self) -> None:
        jobs = list(self._held.values())
        keys = [self.keys.stream, self.keys.workers, self.keys.worker(self.id)]
        args: list[Arg] = [
            GROUP,
            self.id,
            self.settings.lease_ms,
            self._record,
            self._holding_limit(),
        ]
        for job in jobs:
            keys.append(self.keys.job(job.job_id))
            args += [job.entry, job.deliveries]
        reply = await self.redis.eval_script(scripts.RENEW, keys, args)
        self.counts.renewals += 1
        for job, verdict in zip(jobs, verdicts(reply, len(jobs)), strict=True):
            if verdict.word == "lost":
                log.warning("queue %s: lost the lease of job %s", self.domain, job.job_id)
                self._stop_handler(job, "lost")
            elif verdict.word == "cancel":
                self._stop_handler(job, "cancel", verdict.text)

    async def _control_loop(self) -> None:
        async with self.redis.subscribe(
            self.keys.control, poll_s=self.settings.control_poll_s
        ) as subscription:
            self._subscribed.set()
            async for message in subscription:
                try:
                    request = _CancelRequest.model_validate_json(message.data)
                except ValueError as exc:
                    raise QueueError(f"malformed control message {message.data!r}") from exc
                for job in list(self._held.values()):
                    if job.job_id == request.job:
                        self._stop_handler(job, "cancel", request.reason)
