"""`Worker`: runs one queue's jobs, `concurrency` at once on one event loop, crash-safe.

The worker is split by concern: `settings` (how it runs), `job_state` (a held job and
how it ends), `scripts` and the `.lua` files (each Redis call), and this module (the
loops). One worker process is one consumer of the queue's consumer group. Its loops:

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
  handler to be cancelled (a malformed message is logged and ignored).

Crash windows. A handler's end and its FINISH are two steps: its outcome waits in
memory for the next FINISH batch. A worker killed in between loses that outcome; the
job's entry is still pending (only FINISH acks it), so another worker reclaims it once
the lease lapses and runs it again: a job runs at least once, and a finished job is
never finished twice (FINISH is fenced on the delivery count, and writes nothing to a
job whose entry it no longer holds). START and FINISH are each one atomic script, so a
job is never half started or half finished.

It logs one `worker started` line once it is registered, subscribed and fetching, and
one `worker stopped` line when it stops (fields: `worker`, `queue`, `concurrency`, what
it did, and the `error` that stopped it, if any; see `platform_core.logging`).

`run(stop)` returns after a graceful shutdown once `stop` is set: no new work (a job read
or started meanwhile goes back to the queue), running handlers get `grace_period_s` to
finish, the rest are cancelled and put back in the queue (attempt recorded
`interrupted`), every handler task is awaited, and the worker leaves the registry. A
Redis failure in any loop stops the worker at once and `run` raises it; the jobs it held
stay pending and other workers reclaim them when their leases lapse.
"""

import asyncio
import json
import logging
import os
import socket
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, JsonValue, ValidationError

from platform_core.async_events import Domain, event_route
from platform_core.logging import JOB_ID, log_fields
from platform_workers.async_queue import lifecycle
from platform_workers.async_queue.context import JobContext
from platform_workers.async_queue.errors import LeaseLostError, SystemFailureError, UserError
from platform_workers.async_queue.job_state import (
    Finish,
    MissingHandler,
    RunningJob,
    StopReason,
    entry_job,
)
from platform_workers.async_queue.keys import GROUP, QueueKeys
from platform_workers.async_queue.replies import counted
from platform_workers.async_queue.scripts import (
    DEREGISTER,
    ENSURE_GROUP,
    FINISH,
    MAINTAIN,
    PROGRESS,
    PROMOTE,
    RENEW,
    START,
    DeregisterArgs,
    DeregisterKeys,
    FinishArgs,
    FinishKeys,
    GroupArgs,
    MaintainArgs,
    MaintainKeys,
    ProgressArgs,
    ProgressKeys,
    PromoteArgs,
    PromoteKeys,
    RenewArgs,
    RenewKeys,
    StartArgs,
    StartKeys,
    StreamKeys,
)
from platform_workers.async_queue.settings import WorkerSettings
from platform_workers.async_queue.tasks import Runnable
from platform_workers.async_queue.worker_info import WorkerCounts, WorkerRecord
from platform_workers.async_redis import Arg, RedisClient, StreamEntry, commands

log = logging.getLogger(__name__)


class _CancelRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    job: str
    reason: str


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
        self._held: dict[str, RunningJob] = {}
        self._reserved = 0
        self._slot_free = asyncio.Event()
        self._pending: list[Finish] = []
        # every handler task until it ends, with its job: a job's entry can be held again by
        # a later delivery while an earlier run of it still unwinds, and shutdown awaits both
        self._running: dict[asyncio.Task[None], RunningJob] = {}
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
        await ENSURE_GROUP(
            self.redis, StreamKeys(stream=self.keys.stream), GroupArgs(group=GROUP, start="0")
        )
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
        handlers = {task for task in self._running if not task.done()}
        late = await self._await_handlers(loops, handlers, self.settings.grace_period_s)
        for task in late:
            # (an earlier run of a job held again was stopped as lost: this does nothing)
            self._stop_handler(self._running[task], "shutdown")
        await self._await_handlers(loops, late, self.settings.cancel_wait_s)
        self._closing = True
        self._finish_ready.set()
        await loops.flush
        self._renew_stop.set()
        await loops.renew
        loops.control.cancel()
        await asyncio.wait([loops.control])
        await DEREGISTER(
            self.redis,
            DeregisterKeys(
                workers=self.keys.workers, record=self.keys.worker(self.id), stream=self.keys.stream
            ),
            DeregisterArgs(group=GROUP, consumer=self.id),
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
        tasks = [*loops.all(), *self._running]
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

    @property
    def held(self) -> Mapping[str, RunningJob]:
        """The jobs this worker holds now, by stream entry id (a read-only view): a job is
        held from its read (or reclaim) until its FINISH call returns, or until the worker
        forgets it (its lease lost). For diagnostics and tests."""
        return MappingProxyType(self._held)

    # --- slots -----------------------------------------------------------------------

    def _holding_limit(self) -> int:
        """How many pending entries to list when checking this worker's ownership."""
        return len(self._held) + self.settings.concurrency + 16

    def _free(self) -> int:
        return self.settings.concurrency - self._reserved

    def _release_slot(self) -> None:
        self._reserved -= 1
        self._slot_free.set()

    def _forget_handler(self, handler: "asyncio.Task[None]") -> None:
        del self._running[handler]

    def _drop(self, job: RunningJob) -> None:
        # only this run of the entry: the entry may be held again, by a later delivery
        if self._held.get(job.entry) is job:
            del self._held[job.entry]

    # --- fetching and starting --------------------------------------------------------

    async def _fetch_loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_maintenance = loop.time()
        ticks = 0
        while True:
            if _cancel_requested():
                # cancelled by `_abort`, but the cancellation was swallowed on its way
                # through the Redis client's blocking read (seen as a hung test): stop anyway
                raise asyncio.CancelledError
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
                    self._queue_finish(Finish(job=job, outcome="requeue", ran=False))
                    self._release_slot()
                return
            await self._start(jobs)

    async def _take(self, entries: list[tuple[StreamEntry, int]]) -> list[RunningJob]:
        """Hold the entries' jobs (one slot each); dead-letter malformed entries."""
        jobs: list[RunningJob] = []
        malformed: list[StreamEntry] = []
        for entry, deliveries in entries:
            job = entry_job(entry, deliveries)
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
        found = await MAINTAIN(
            self.redis,
            MaintainKeys(
                stream=self.keys.stream, delayed=self.keys.delayed, workers=self.keys.workers
            ),
            MaintainArgs(
                group=GROUP,
                consumer=self.id,
                lease_ms=cfg.lease_ms,
                free=self._free(),
                scan=cfg.reclaim_scan,
                due_batch=cfg.delayed_batch,
                prune="1" if prune else "0",
            ),
        )
        if found.due:
            await PROMOTE(
                self.redis,
                PromoteKeys(stream=self.keys.stream, delayed=self.keys.delayed),
                PromoteArgs(job_ids=json.dumps(found.due)),
                each=[self.keys.job(job_id) for job_id in found.due],
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

    async def _start(self, jobs: list[RunningJob]) -> None:
        route, cfg = self.route, self.settings
        rows: list[dict[str, str | int]] = []
        for job in jobs:
            mode, message = "run", ""
            if job.deliveries > cfg.max_deliveries:
                mode = "dead"
                message = (
                    f"dead-lettered: delivered {job.deliveries} times without finishing "
                    f"(max {cfg.max_deliveries})"
                )
                event = lifecycle.failed(self.domain, job.job_id, job.user_id, "system", message)
            else:
                event = lifecycle.started(self.domain, job.job_id, job.user_id)
            rows.append(
                {
                    "entry": job.entry,
                    "deliveries": job.deliveries,
                    "job_id": job.job_id,
                    "mode": mode,
                    "event": event,
                    "message": message,
                }
            )
        answers = await START(
            self.redis,
            StartKeys(stream=self.keys.stream, events=route.stream, dead=self.keys.dead),
            StartArgs(
                route=route.lua_arg,
                group=GROUP,
                consumer=self.id,
                dead_cap=cfg.dead_maxlen,
                limit=self._holding_limit(),
                jobs=json.dumps(rows),
            ),
            each=[self.keys.job(job.job_id) for job in jobs],
        )
        for job, verdict in zip(jobs, counted(answers, len(jobs)), strict=True):
            if verdict.word == "run":
                job.attempt = verdict.attempt
                self.counts.started += 1
                if self._stopping:
                    # the worker began to stop while START was on its way: a stopping
                    # worker starts no handler; the attempt ends interrupted, the job queued
                    self._release_slot()
                    self._queue_finish(
                        Finish(job=job, outcome="interrupted", ran=True, value="worker shut down")
                    )
                    continue
                runnable = self._handlers.get(job.task) or MissingHandler(job.task)
                handler = asyncio.create_task(self._execute(job, runnable, verdict.payload))
                job.handler = handler
                self._running[handler] = job
                handler.add_done_callback(self._forget_handler)
                continue
            self._release_slot()
            if verdict.word == "cancel":
                message = f"cancelled: {verdict.reason}"
                event = lifecycle.failed(self.domain, job.job_id, job.user_id, "user", message)
                self._queue_finish(
                    Finish(
                        job=job,
                        outcome="cancelled",
                        ran=False,
                        kind="user",
                        value=message,
                        event=event,
                    )
                )
                continue
            if verdict.word == "dead":
                self.counts.dead += 1
                log.error("queue %s: job %s dead-lettered", self.domain, job.job_id)
            self._drop(job)

    # --- running ---------------------------------------------------------------------

    async def _execute(self, job: RunningJob, runnable: Runnable, payload: str) -> None:
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

    async def _run(self, job: RunningJob, runnable: Runnable, payload: str) -> None:
        ctx = JobContext(
            job_id=job.job_id,
            user_id=job.user_id,
            task=job.task,
            queue=self.domain,
            attempt=job.attempt,
            reporter=lambda percent, message, data: self._progress(job, percent, message, data),
        )
        finish: Finish | None
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
            finish = Finish(
                job=job, outcome="completed", ran=True, value=completion.result_json, event=event
            )
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

    def _settle(self, job: RunningJob, finish: Finish | None) -> None:
        """Queue the job's finish, or forget it (its lease is lost: someone else runs it)."""
        if finish is None:
            self._drop(job)
        else:
            self._queue_finish(finish)

    def _cancelled(self, job: RunningJob, runnable: Runnable) -> Finish | None:
        if job.stop is None:
            message = "CancelledError: the handler cancelled itself"
            return self._failure(job, runnable, "system", message)
        if job.stop == "cancel":
            message = f"cancelled: {job.cancel_reason}"
            event = lifecycle.failed(self.domain, job.job_id, job.user_id, "user", message)
            return Finish(
                job=job, outcome="cancelled", ran=True, kind="user", value=message, event=event
            )
        if job.stop == "shutdown":
            return Finish(job=job, outcome="interrupted", ran=True, value="worker shut down")
        return None

    def _failure(self, job: RunningJob, runnable: Runnable, kind: str, message: str) -> Finish:
        if kind == "system" and runnable.retry.retries_after(job.attempt):
            delay = runnable.retry.delay_ms(job.attempt)
            return Finish(
                job=job, outcome="retry", ran=True, kind=kind, value=message, delay_ms=delay
            )
        error_kind: Literal["user", "system"] = "user" if kind == "user" else "system"
        event = lifecycle.failed(self.domain, job.job_id, job.user_id, error_kind, message)
        return Finish(job=job, outcome="failed", ran=True, kind=kind, value=message, event=event)

    def _stop_handler(self, job: RunningJob, reason: StopReason, cancel_reason: str = "") -> None:
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
        self, job: RunningJob, percent: int, message: str | None, payload: JsonValue
    ) -> None:
        route = self.route
        event = lifecycle.progress(
            self.domain, job.job_id, job.user_id, percent=percent, message=message, payload=payload
        )
        written = await PROGRESS(
            self.redis,
            ProgressKeys(
                stream=self.keys.stream, events=route.stream, job=self.keys.job(job.job_id)
            ),
            ProgressArgs(
                route=route.lua_arg,
                group=GROUP,
                consumer=self.id,
                entry=job.entry,
                deliveries=job.deliveries,
                progress=percent,
                message=message or "",
                event=event,
            ),
        )
        if not written:
            raise LeaseLostError(f"job {job.job_id}: this worker no longer holds it")

    # --- finishing -------------------------------------------------------------------

    def _queue_finish(self, finish: Finish) -> None:
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

    async def _finish(self, batch: list[Finish]) -> None:
        route = self.route
        rows = [item.row() for item in batch]
        done_flags = await FINISH(
            self.redis,
            FinishKeys(stream=self.keys.stream, events=route.stream, delayed=self.keys.delayed),
            FinishArgs(
                route=route.lua_arg,
                group=GROUP,
                consumer=self.id,
                limit=self._holding_limit(),
                jobs=json.dumps(rows),
            ),
            each=[self.keys.job(item.job.job_id) for item in batch],
        )
        for item, done in zip(batch, counted(done_flags, len(batch)), strict=True):
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
        # One call heartbeats the registry and renews every held job's lease; a worker
        # renews every lease_ms / 3, so two renewals may fail or run late before another
        # worker may reclaim its jobs. A renewal that finds an entry gone (reclaimed while
        # this worker stalled) or a cancellation mark stops that job's handler.
        jobs = list(self._held.values())
        held: list[dict[str, str | int]] = [
            {"entry": job.entry, "deliveries": job.deliveries} for job in jobs
        ]
        answers = await RENEW(
            self.redis,
            RenewKeys(
                stream=self.keys.stream, workers=self.keys.workers, record=self.keys.worker(self.id)
            ),
            RenewArgs(
                group=GROUP,
                consumer=self.id,
                ttl_ms=self.settings.lease_ms,
                record=self._record,
                limit=self._holding_limit(),
                jobs=json.dumps(held),
            ),
            each=[self.keys.job(job.job_id) for job in jobs],
        )
        self.counts.renewals += 1
        for job, verdict in zip(jobs, counted(answers, len(jobs)), strict=True):
            if verdict.word == "lost":
                log.warning("queue %s: lost the lease of job %s", self.domain, job.job_id)
                self._stop_handler(job, "lost")
            elif verdict.word == "cancel":
                self._stop_handler(job, "cancel", verdict.reason)

    async def _control_loop(self) -> None:
        async with self.redis.subscribe(
            self.keys.control, poll_s=self.settings.control_poll_s
        ) as subscription:
            self._subscribed.set()
            async for message in subscription:
                try:
                    request = _CancelRequest.model_validate_json(message.data)
                except ValidationError:
                    # anyone can PUBLISH on the channel: a message that is not a cancel
                    # request is no reason to stop (every worker of the queue receives it)
                    log.warning(
                        "queue %s: ignored a malformed control message %r",
                        self.domain,
                        message.data,
                    )
                    continue
                for job in list(self._held.values()):
                    if job.job_id == request.job:
                        self._stop_handler(job, "cancel", request.reason)
