"""`platform_core.async_events`: typed events on Redis streams and pub/sub.

The contract (also in docs/events.md; producers that write events from their own Lua
scripts, such as the job queue, write exactly this through `EMIT_EVENT_LUA`):

- Wire text: compact JSON (`encode_event`), `type` first, optional keys omitted, never
  `null`. Job events: `{"type":"{domain}.job.{started|progress|completed|failed}.v1",
  "domain":...,"job_id":...,"user_id":...,<per-type fields>}`, for any `Domain` (a
  validated identifier; the lib keeps no list of services).
- A service defines its other events (metrics, say) as `DomainEvent` subclasses in its
  own package: `TYPE` `<domain>.<name>.v<n>`, no `domain` key on the wire. Decoders
  accept them once given in an `EventTypes` set (`decode_event(text, types)`,
  `read_events(..., types=)`, `live_events(..., types=)`); job events are always known.
- Per domain (`event_route(domain, maxlen=...)` gives all four):
  stream `{<domain>}:events:stream` (Redis Cluster hash tag on the domain, the same tag
  as the domain's queue keys), one entry field `event` holding the wire text, capped by
  `XADD ... MAXLEN = <maxlen>` (default 10,000; `~` when `approximate`); channel
  `{domain}:events` (the original's), on which the same text is PUBLISHed.
- Both writes happen in one atomic call: `EMIT_EVENT_LUA` (`emit_event.lua`: XADD, then
  PUBLISH), used by `EventPublisher` and by every Lua producer. Put it at the top of a
  script, pass the stream in KEYS and the route's `lua_arg` and the `encode_event` text
  in ARGV; build the text in Python, never in Lua.
- Readers: `read_events` (resumable from stream entry ids; `EventsLostError` when the cap
  trimmed past a position) and `live_events` (pub/sub, live only). `decode_event` is
  strict and raises an `EventDecodeError` subclass.

    publisher = EventPublisher(redis, maxlen=10_000)
    await publisher.publish(JobStarted(domain="orders", job_id="j1", user_id=7, queue="orders"))
"""

from platform_core.async_events.codec import (
    DomainMismatchError,
    EventDecodeError,
    InvalidEventError,
    UnknownEventTypeError,
    decode_event,
    encode_event,
)
from platform_core.async_events.event_types import NO_EVENT_TYPES, EventTypes
from platform_core.async_events.models import (
    JOB_KINDS,
    Domain,
    DomainEvent,
    Event,
    JobCompleted,
    JobEvent,
    JobFailed,
    JobKind,
    JobProgress,
    JobStarted,
    check_domain,
)
from platform_core.async_events.publisher import EventPublisher
from platform_core.async_events.routes import (
    DEFAULT_STREAM_MAXLEN,
    EMIT_EVENT_LUA,
    EVENT_FIELD,
    ROUTE_LUA_FIELDS,
    EventRoute,
    event_route,
    events_channel,
    events_stream,
)
from platform_core.async_events.subscriber import (
    FROM_BEGINNING,
    EventEntryError,
    EventReader,
    EventsLostError,
    LiveEvents,
    ReceivedEvent,
    latest_positions,
    live_events,
    read_events,
)

__all__ = [
    "DEFAULT_STREAM_MAXLEN",
    "EMIT_EVENT_LUA",
    "EVENT_FIELD",
    "FROM_BEGINNING",
    "JOB_KINDS",
    "NO_EVENT_TYPES",
    "ROUTE_LUA_FIELDS",
    "Domain",
    "DomainEvent",
    "DomainMismatchError",
    "Event",
    "EventDecodeError",
    "EventEntryError",
    "EventPublisher",
    "EventReader",
    "EventRoute",
    "EventTypes",
    "EventsLostError",
    "InvalidEventError",
    "JobCompleted",
    "JobEvent",
    "JobFailed",
    "JobKind",
    "JobProgress",
    "JobStarted",
    "LiveEvents",
    "ReceivedEvent",
    "UnknownEventTypeError",
    "check_domain",
    "decode_event",
    "encode_event",
    "event_route",
    "events_channel",
    "events_stream",
    "latest_positions",
    "live_events",
    "read_events",
]
