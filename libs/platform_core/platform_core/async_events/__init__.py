"""`platform_core.async_events`: typed job and metrics events on Redis streams and pub/sub.

The contract (also in docs/events.md; producers that write events from their own Lua
scripts, such as the job queue, must write exactly this):

- Wire text: compact JSON (`encode_event`), `type` first, optional keys omitted, never
  `null`. Job events: `{"type":"{domain}.job.{started|progress|completed|failed}.v1",
  "domain":...,"job_id":...,"user_id":...,<per-type fields>}`. Metrics events
  (`digits.metrics.*.v1`, `trainer.metrics.*.v1`) have no `domain` key; they travel on
  their domain's stream and channel. Domains: databank, qr, transcript, turkic, digits,
  trainer.
- Per domain (`event_route(domain, maxlen=...)` gives all four):
  stream `{<domain>}:events:stream` (Redis Cluster hash tag on the domain, the same tag
  as the domain's queue keys), one entry field `event` holding the wire text, capped by
  `XADD ... MAXLEN = <maxlen>` (default 10,000; `~` when `approximate`); channel
  `{domain}:events` (the original's), on which the same text is PUBLISHed.
- Both writes happen in one atomic call: `EMIT_EVENT_LUA` (XADD, then PUBLISH). Put it
  at the top of a script, pass the stream in KEYS and the route's other values and the
  `encode_event` text in ARGV; build the text in Python, never in Lua.
- Readers: `read_events` (resumable from stream entry ids; `EventsLostError` when the cap
  trimmed past a position) and `live_events` (pub/sub, live only). `decode_event` is
  strict and raises an `EventDecodeError` subclass.

    publisher = EventPublisher(redis, maxlen=10_000)
    await publisher.publish(JobStarted(domain="qr", job_id="j1", user_id=7, queue="qr"))
"""

from platform_core.async_events.codec import (
    DomainMismatchError,
    EventDecodeError,
    InvalidEventError,
    UnknownEventTypeError,
    decode_event,
    encode_event,
)
from platform_core.async_events.models import (
    DOMAINS,
    JOB_KINDS,
    DigitsMetricsArtifact,
    DigitsMetricsBatch,
    DigitsMetricsBest,
    DigitsMetricsCompleted,
    DigitsMetricsConfig,
    DigitsMetricsEpoch,
    DigitsMetricsEvent,
    DigitsMetricsPrune,
    DigitsMetricsUpload,
    Domain,
    Event,
    JobCompleted,
    JobEvent,
    JobFailed,
    JobKind,
    JobProgress,
    JobStarted,
    MetricsEvent,
    TrainerMetricsCompleted,
    TrainerMetricsConfig,
    TrainerMetricsEvent,
    TrainerMetricsProgress,
)
from platform_core.async_events.publisher import EventPublisher
from platform_core.async_events.routes import (
    DEFAULT_STREAM_MAXLEN,
    EMIT_EVENT_LUA,
    EVENT_FIELD,
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
    "DOMAINS",
    "EMIT_EVENT_LUA",
    "EVENT_FIELD",
    "FROM_BEGINNING",
    "JOB_KINDS",
    "DigitsMetricsArtifact",
    "DigitsMetricsBatch",
    "DigitsMetricsBest",
    "DigitsMetricsCompleted",
    "DigitsMetricsConfig",
    "DigitsMetricsEpoch",
    "DigitsMetricsEvent",
    "DigitsMetricsPrune",
    "DigitsMetricsUpload",
    "Domain",
    "DomainMismatchError",
    "Event",
    "EventDecodeError",
    "EventEntryError",
    "EventPublisher",
    "EventReader",
    "EventRoute",
    "EventsLostError",
    "InvalidEventError",
    "JobCompleted",
    "JobEvent",
    "JobFailed",
    "JobKind",
    "JobProgress",
    "JobStarted",
    "LiveEvents",
    "MetricsEvent",
    "ReceivedEvent",
    "TrainerMetricsCompleted",
    "TrainerMetricsConfig",
    "TrainerMetricsEvent",
    "TrainerMetricsProgress",
    "UnknownEventTypeError",
    "decode_event",
    "encode_event",
    "event_route",
    "events_channel",
    "events_stream",
    "latest_positions",
    "live_events",
    "read_events",
]
