"""Reading events: resumable from the streams, or live-only from pub/sub.

Resumable (no event lost across restarts; a loss to the stream cap is an error):

    positions = saved or await latest_positions(redis, ["dice", "tiles"])  # from now
    async for received in read_events(redis, positions, types=DIGITS_EVENTS):
        handle(received.event)
        save(received.domain, received.id)            # resume after this id next time

Both decode job lifecycle events and the service-defined event types they are given
(`EventTypes`); any other type is an error.

Live-only (the original's pub/sub contract; events published while away are missed):

    async with live_events(redis, ["orders"]) as events:  # job events only (no `types`)
        async for event in events:
            ...
"""

import asyncio
import re
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from platform_core.async_events.codec import DomainMismatchError, EventDecodeError, decode_event
from platform_core.async_events.event_types import NO_EVENT_TYPES, EventTypes
from platform_core.async_events.models import Domain, Event
from platform_core.async_events.routes import EVENT_FIELD, events_channel, events_stream
from platform_workers.async_redis import (
    Message,
    RedisClient,
    StreamEntry,
    Subscription,
    commands,
)

FROM_BEGINNING = "0-0"
"""A position before every event: read each event the stream still holds."""

DEFAULT_BLOCK_MS = 1_000
DEFAULT_BATCH = 100


class EventEntryError(EventDecodeError):
    """A stream entry does not hold a valid event of its stream's domain.

    `domain` and `entry_id` say which; the decoding error, if any, is the `__cause__`.
    The reader has moved past the entry: iterating on skips it.
    """

    def __init__(self, domain: Domain, entry_id: str, problem: str) -> None:
        super().__init__(f"{events_stream(domain)} entry {entry_id}: {problem}")
        self.domain: Domain = domain
        self.entry_id = entry_id


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """An event read from its domain's stream, with the stream entry id to resume after."""

    id: str
    event: Event

    @property
    def domain(self) -> Domain:
        """The event's domain (whose stream `id` belongs to)."""
        return self.event.domain


async def latest_positions(redis: RedisClient, domains: Iterable[Domain]) -> dict[Domain, str]:
    """Positions meaning "from now": each stream's newest entry id (one round trip)."""
    pipe = redis.pipeline(transaction=False)
    newest = {
        domain: pipe.add(commands.xrevrange(events_stream(domain), count=1)) for domain in domains
    }
    if not newest:
        raise ValueError("latest_positions needs at least one domain")
    await pipe.execute()
    return {
        domain: entries.value[0].id if entries.value else FROM_BEGINNING
        for domain, entries in newest.items()
    }


def _event(domain: Domain, entry: StreamEntry, types: EventTypes) -> Event:
    text = (entry.fields or {}).get(EVENT_FIELD)
    if text is None:
        raise EventEntryError(domain, entry.id, f"no {EVENT_FIELD!r} field")
    try:
        event = decode_event(text, types)
    except EventDecodeError as exc:
        raise EventEntryError(domain, entry.id, str(exc)) from exc
    if event.domain != domain:
        raise EventEntryError(domain, entry.id, f"{event.type} belongs to {event.domain}")
    return event


class EventsLostError(Exception):
    """Events after `position` may be gone: the stream's cap trimmed past it.

    The oldest event the stream still holds is `oldest`. The reader moves on to it, so
    iterating on accepts the loss; stopping leaves the decision to the caller.
    """

    def __init__(self, domain: Domain, position: str, oldest: str) -> None:
        super().__init__(
            f"{events_stream(domain)}: events after {position} may have been trimmed "
            f"(the oldest kept is {oldest})"
        )
        self.domain: Domain = domain
        self.position = position
        self.oldest = oldest


_ENTRY_ID = re.compile(r"[0-9]+(-[0-9]+)?")


def _id(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


class EventReader:
    """Every event after the given positions, in stream order per domain, forever.

    Each batch is read in one MULTI/EXEC with the stream's oldest entry, so a position
    the cap has trimmed past is detected (`EventsLostError`) instead of silently
    skipped. While caught up, the reader waits with XREAD BLOCK (`block_ms` at a time,
    below the client's socket timeout) and then reads. `positions` is where it stands:
    the id of the last event it returned, per domain.
    """

    def __init__(
        self,
        redis: RedisClient,
        positions: Mapping[Domain, str],
        *,
        block_ms: int = DEFAULT_BLOCK_MS,
        batch: int = DEFAULT_BATCH,
        types: EventTypes = NO_EVENT_TYPES,
    ) -> None:
        if not positions:
            raise ValueError("read_events needs at least one domain")
        if "$" in positions.values():
            raise ValueError("'$' would skip events between reads: use latest_positions()")
        for domain, position in positions.items():
            if _ENTRY_ID.fullmatch(position) is None:
                raise ValueError(f"{domain}: {position!r} is not a stream entry id")
        self._redis = redis
        self._positions = dict(positions)
        self._block_ms = block_ms
        self._batch = batch
        self._types = types
        self._ready: deque[tuple[Domain, StreamEntry]] = deque()

    @property
    def positions(self) -> dict[Domain, str]:
        """The id of the last event returned per domain (save it to resume after it)."""
        return dict(self._positions)

    def __aiter__(self) -> Self:
        return self

    def __anext__(self) -> Awaitable[ReceivedEvent]:
        return self._next()

    async def _next(self) -> ReceivedEvent:
        while not self._ready:
            if not await self._read():
                await self._wait()
        domain, entry = self._ready.popleft()
        self._positions[domain] = entry.id
        return ReceivedEvent(entry.id, _event(domain, entry, self._types))

    async def _read(self) -> bool:
        pipe = self._redis.pipeline()
        reads = [
            (
                domain,
                position,
                pipe.add(commands.xrange(events_stream(domain), count=1)),
                pipe.add(commands.xrange(events_stream(domain), f"({position}", count=self._batch)),
            )
            for domain, position in self._positions.items()
        ]
        await pipe.execute()
        for domain, position, oldest, entries in reads:
            kept = oldest.value[0].id if oldest.value else None
            # A position of 0 ("0", "0-0"): everything still held, so nothing is lost.
            if kept is not None and (0, 0) < _id(position) < _id(kept):
                self._ready.clear()
                self._positions[domain] = FROM_BEGINNING  # on from what is still there
                raise EventsLostError(domain, position, kept)
            self._ready.extend((domain, entry) for entry in entries.value)
        return bool(self._ready)

    async def _wait(self) -> None:
        streams = {events_stream(domain): position for domain, position in self._positions.items()}
        await self._redis.xread(streams, count=1, block_ms=self._block_ms)


def read_events(
    redis: RedisClient,
    positions: Mapping[Domain, str],
    *,
    block_ms: int = DEFAULT_BLOCK_MS,
    batch: int = DEFAULT_BATCH,
    types: EventTypes = NO_EVENT_TYPES,
) -> EventReader:
    """An `EventReader` over the domains in `positions` (domain -> last handled id).

    Start from saved ids to resume, from `latest_positions(...)` for "from now", or from
    `FROM_BEGINNING` (everything the stream still holds). Job lifecycle events and the
    `types` given are decoded; a bad entry (an unknown type included) raises
    `EventEntryError` (the reader moves past it); a trimmed-past position raises
    `EventsLostError`; Redis failures raise `RedisError`s.
    """
    return EventReader(redis, positions, block_ms=block_ms, batch=batch, types=types)


class LiveEvents:
    """Events as they are PUBLISHed on domain channels; none are replayed.

    Use `async with live_events(redis, domains) as events: async for event in events`;
    the subscription is in place once the `async with` is entered.
    """

    def __init__(
        self,
        subscription: Subscription,
        domains: Mapping[str, Domain],
        types: EventTypes = NO_EVENT_TYPES,
    ) -> None:
        self._subscription = subscription
        self._domains = domains
        self._types = types

    async def __aenter__(self) -> Self:
        await self._subscription.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._subscription.__aexit__(exc_type, exc, tb)

    async def next_event(self, timeout_s: float) -> Event | None:
        """The next event, or None if none came within `timeout_s`; bad text raises."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        message = await self._subscription.next_message(timeout_s)
        # None also means "a subscription confirmation came": wait on until the deadline.
        while message is None and (left := deadline - loop.time()) > 0:
            message = await self._subscription.next_message(left)
        return None if message is None else self._event(message)

    def __aiter__(self) -> AsyncIterator[Event]:
        return (self._event(message) async for message in self._subscription)

    def _event(self, message: Message) -> Event:
        event = decode_event(message.data, self._types)
        if event.domain != self._domains[message.channel]:
            raise DomainMismatchError(f"{event.type} arrived on {message.channel}")
        return event


def live_events(
    redis: RedisClient,
    domains: Iterable[Domain],
    *,
    poll_s: float = 1.0,
    types: EventTypes = NO_EVENT_TYPES,
) -> LiveEvents:
    """Subscribe to the channels `{domain}:events` of `domains` (enter to subscribe).

    Job lifecycle events and the `types` given are decoded; others raise.
    """
    channels = {events_channel(domain): domain for domain in domains}
    return LiveEvents(redis.subscribe(*channels, poll_s=poll_s), channels, types)
