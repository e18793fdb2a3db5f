"""The notification engine: every domain's event stream -> one DM per user per job.

One consumer reads every domain's durable stream (`EventReader`) from the positions
stored in Redis, so a restart resumes right after the last event handled. Each event
about a job of a user (user id > 0) is folded into the job's view (`job_views`). A
flusher writes the changed views and the stream positions in one MULTI per group of
events (group commit: whatever the reader handled while the previous write was in
flight), and only then tells the users' outboxes: what is delivered is always durable.

Each user has one delivery task that sends the *latest* text of each of their jobs whose
text changed, oldest change first: a burst of progress events for a job becomes as few
edits as the rate limits allow (coalesced), and a user's updates never go out of order
(`DiscordRest` serializes a channel's calls). The first text of a job is a new DM; later
ones edit that message (its id lives in the job's state in Redis, so a restart keeps
editing the same message); a message the user deleted is posted again. A user who
cannot be messaged (403) is logged and skipped.

Delivery guarantees: no event is lost (a position is saved with the views it produced,
and a restart first delivers what the outbox still holds); none is shown twice (edits
are idempotent: the latest durable text replaces the message, never an older one). A
delivery interrupted by a stop after Discord applied it is made again after the restart
(the same text, invisible to the user); the one non-idempotent step is the first send: a
crash after Discord created the message and before its id is saved would post it again.
"""

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from discord_bot.rest import DiscordForbiddenError, DiscordNotFoundError, DiscordRest
from discord_bot.store import JobState, NotifierStore, job_key
from job_views import JobView, event_job, event_types_for, fold, view_text
from platform_core.async_events import (
    EventEntryError,
    EventReader,
    EventsLostError,
    ReceivedEvent,
    latest_positions,
)
from platform_core.logging import log_fields
from platform_workers.async_redis import RedisClient

__all__ = ["Notifier", "NotifierStats", "message_text"]

logger = logging.getLogger(__name__)


def message_text(view: JobView, result_url: str | None = None) -> str:
    """The DM's content for `view`: its text in a code block, then the result's link."""
    link = None
    if view.status == "completed" and result_url is not None and view.result_id is not None:
        link = result_url.replace("{result_id}", view.result_id)
    return f"```\n{view_text(view)}\n```" + (f"\n{link}" if link else "")


@dataclass(slots=True)
class NotifierStats:
    """What the notifier did: events read, job updates, DMs sent and edited, users skipped."""

    events: int = 0
    updates: int = 0
    sends: int = 0
    edits: int = 0
    unreachable_users: int = 0


class _Outbox:
    """A user's jobs whose latest text is not delivered, oldest change first."""

    def __init__(self) -> None:
        self.dirty: dict[str, None] = {}


class Notifier:
    """Run with `await notifier.run()` (until cancelled, or a failure it cannot handle).

    `domains`: the streams to read. A domain with no stored position starts from its
    stream's newest event (the first start). `result_url`: a link for completed jobs,
    with `{result_id}` replaced by the job's result id (e.g. a data-bank file URL).
    `on_delivered` is called after each delivery (benchmarks measure lag with it).
    """

    def __init__(
        self,
        redis: RedisClient,
        rest: DiscordRest,
        *,
        domains: Sequence[str],
        result_url: str | None = None,
        block_ms: int = 1_000,
        on_delivered: Callable[[JobView], None] | None = None,
    ) -> None:
        if not domains:
            raise ValueError("the notifier needs at least one domain")
        self._redis = redis
        self._rest = rest
        self._domains = list(domains)
        self._result_url = result_url
        self._block_ms = block_ms
        self._on_delivered: Callable[[JobView], None] = on_delivered or (lambda _view: None)
        self._store = NotifierStore(redis)
        self._states: dict[str, JobState] = {}
        self._durable: dict[str, JobView] = {}
        self._pending: dict[str, int] = {}
        self._pending_positions: dict[str, str] = {}
        self._flush_wanted = asyncio.Event()
        # Held while views become durable and while a delivery decides whether nothing
        # newer waits (so an outbox entry is never cleared for a view not yet shown).
        self._commit = asyncio.Lock()
        self._outboxes: dict[int, _Outbox] = {}
        self._dm_channels: dict[int, str] = {}
        self._unreachable: set[int] = set()
        self.stats = NotifierStats()

    async def run(self) -> None:
        """Deliver what the outbox holds, then follow the streams until cancelled."""
        # A domain without a stored position starts from now (the first start).
        positions = await latest_positions(self._redis, self._domains)
        positions.update(await self._store.positions())
        reader = EventReader(
            self._redis,
            {domain: positions[domain] for domain in self._domains},
            types=event_types_for(self._domains),
            block_ms=self._block_ms,
        )
        async with asyncio.TaskGroup() as tasks:
            for key, user_id in (await self._store.outbox()).items():
                state = await self._store.load(key)
                if state is None:  # expired: nothing left to deliver
                    await self._store.forget(key)
                else:
                    self._states[key] = state
                    self._durable[key] = state.view
                    self._mark(tasks, user_id, key)
            tasks.create_task(self._flusher(tasks))
            while True:
                try:
                    received = await anext(reader)
                except EventEntryError as exc:
                    logger.warning("bad stream entry skipped", extra=log_fields(error=str(exc)))
                    self._handled(exc.domain, exc.entry_id)
                    continue
                except EventsLostError:
                    logger.exception("events lost to the stream cap")
                    continue
                await self._handle(received)

    def _handled(self, domain: str, entry_id: str, key: str | None = None, user: int = 0) -> None:
        self._pending_positions[domain] = entry_id
        if key is not None:
            self._pending[key] = user
        self._flush_wanted.set()

    async def _handle(self, received: ReceivedEvent) -> None:
        self.stats.events += 1
        job = event_job(received.event)
        if job is None or job[2] <= 0:
            self._handled(received.domain, received.id)
            return
        domain, job_id, user_id = job
        key = job_key(domain, job_id)
        state = self._states.get(key) or await self._store.load(key)
        view = fold(None if state is None else state.view, received.event)
        if state is None:
            state = JobState(view=view)
        else:
            state.view = view
        self._states[key] = state
        self.stats.updates += 1
        self._handled(received.domain, received.id, key, user_id)

    async def _flusher(self, tasks: asyncio.TaskGroup) -> None:
        while True:
            await self._flush_wanted.wait()
            self._flush_wanted.clear()
            positions, self._pending_positions = self._pending_positions, {}
            pending, self._pending = self._pending, {}
            views = {key: self._states[key].view for key in pending}
            async with self._commit:
                await self._store.flush(positions, views)
                for key, view in views.items():
                    self._durable[key] = view
                    self._mark(tasks, pending[key], key)

    def _mark(self, tasks: asyncio.TaskGroup, user_id: int, key: str) -> None:
        outbox = self._outboxes.get(user_id)
        if outbox is None:
            outbox = self._outboxes[user_id] = _Outbox()
            outbox.dirty[key] = None
            tasks.create_task(self._deliver_all(user_id, outbox))
        else:
            outbox.dirty[key] = None

    async def _deliver_all(self, user_id: int, outbox: _Outbox) -> None:
        while outbox.dirty:
            key = next(iter(outbox.dirty))
            del outbox.dirty[key]
            await self._deliver(user_id, key)
        del self._outboxes[user_id]

    async def _deliver(self, user_id: int, key: str) -> None:
        state = self._states[key]
        view = self._durable[key]
        text = message_text(view, self._result_url)
        if user_id not in self._unreachable and text != state.delivered:
            try:
                await self._show(user_id, state, text)
            except DiscordForbiddenError as exc:
                self._unreachable.add(user_id)
                self.stats.unreachable_users += 1
                logger.warning(
                    "user cannot be messaged: skipped",
                    extra=log_fields(user_id=user_id, job=key, error=str(exc)),
                )
            else:
                state.delivered = text
                self._on_delivered(view)
        async with self._commit:
            settled = self._durable[key] is view
            await self._store.delivered(key, state, settled=settled)
        if settled and view.ended and key not in self._pending:
            # Done with it: a late event (the trainer's final metrics) loads it again.
            del self._states[key], self._durable[key]

    async def _show(self, user_id: int, state: JobState, text: str) -> None:
        if state.channel_id is None:
            channel = self._dm_channels.get(user_id)
            if channel is None:
                channel = self._dm_channels[user_id] = await self._rest.open_dm(user_id)
            state.channel_id = channel
        if state.message_id is not None:
            try:
                await self._rest.edit(state.channel_id, state.message_id, text)
                self.stats.edits += 1
                return
            except DiscordNotFoundError:
                logger.info("message gone: posting it again", extra=log_fields(user_id=user_id))
        state.message_id = await self._rest.send(state.channel_id, text)
        self.stats.sends += 1
