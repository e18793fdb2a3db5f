"""The watch loop: read a domain's stream from a position, fold events into job views."""

import asyncio
from typing import Protocol

from job_views import JobView, event_job, event_types_for, fold
from job_watch.cancel import cancel_and_wait
from platform_core.async_events import (
    EventEntryError,
    EventReader,
    EventsLostError,
    EventTypes,
    ReceivedEvent,
)
from platform_workers.async_redis import RedisClient

__all__ = ["WatchSink", "follow"]


class WatchSink(Protocol):
    """Where the watch shows what it sees."""

    def job(self, view: JobView) -> None:
        """A job's view changed."""

    def note(self, text: str) -> None:
        """Something else happened (a skipped entry, events lost to the stream cap)."""


async def follow(
    redis: RedisClient,
    domain: str,
    position: str,
    sink: WatchSink,
    *,
    job_id: str | None = None,
    until_done: bool = False,
    stop: asyncio.Event | None = None,
    block_ms: int = 1_000,
    types: EventTypes | None = None,
) -> str:
    """Show `domain`'s events after `position` (of job `job_id` only, if given).

    Runs until `stop` is set, or (`until_done`, with a `job_id`) until the job has ended;
    returns the stream position to resume after. A bad entry or events trimmed by the
    stream's cap are shown as notes and the watch goes on, as is an event about no job.
    `types`: the domain's event types (default: `job_views.event_types_for([domain])`).
    """
    if until_done and job_id is None:
        raise ValueError("until_done needs a job_id")
    reader = EventReader(
        redis, {domain: position}, types=types or event_types_for([domain]), block_ms=block_ms
    )
    views: dict[str, JobView] = {}
    shown = position
    stopped = stop or asyncio.Event()
    while not stopped.is_set():
        next_event = asyncio.ensure_future(anext(reader))
        stopping = asyncio.ensure_future(stopped.wait())
        try:
            await asyncio.wait({next_event, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            interrupted = not next_event.done()
            if interrupted:
                # Stopped (or cancelled) while waiting for the next event: the read ends
                # here; what it had read is not shown and the position stays before it.
                await cancel_and_wait(next_event)
        if interrupted:
            _raise_failure(next_event)
            break
        try:
            received = next_event.result()
        except EventEntryError as exc:
            shown = exc.entry_id
            sink.note(f"{type(exc).__name__}: {exc}")
            continue
        except EventsLostError as exc:
            sink.note(f"{type(exc).__name__}: {exc}")
            continue
        shown = received.id
        job = event_job(received.event)
        if job is None:
            sink.note(f"{received.id} {received.event.type}")
            continue
        if job_id is not None and job[1] != job_id:
            continue
        view = fold(views.get(job[1]), received.event)
        views[job[1]] = view
        sink.job(view)
        if until_done and view.ended:
            break
    return shown


def _raise_failure(read: "asyncio.Future[ReceivedEvent]") -> None:
    """Raise what an interrupted read raised, unless it was cancelled or would be noted."""
    failure = None if read.cancelled() else read.exception()
    if failure is not None and not isinstance(failure, EventEntryError | EventsLostError):
        raise failure
