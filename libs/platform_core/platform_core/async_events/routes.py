"""Where a domain's events go: the stream key, the channel, the entry field and the cap.

    route = event_route("qr")          # stream "{qr}:events:stream", channel "qr:events"

A producer that appends events from its own Lua script (the job queue does, so that a
job's state change and its event are one atomic call) writes exactly what `publish`
writes: `XADD <stream> MAXLEN <trim> <maxlen> * <field> <encode_event(event)>` then
`PUBLISH <channel> <same text>`. `EMIT_EVENT_LUA` is that step as a Lua function to put
at the top of such a script; pass `route.stream` in KEYS (it has the domain's hash tag,
`{qr}`, so it lives in the same cluster slot as the domain's queue keys) and the rest
as ARGV.
"""

from dataclasses import dataclass
from typing import Literal

from platform_core.async_events.models import Domain

DEFAULT_STREAM_MAXLEN = 10_000
"""Events kept per domain stream unless configured otherwise."""

EVENT_FIELD = "event"
"""The one field of a stream entry; its value is the event's compact JSON."""

EMIT_EVENT_LUA = """
local function emit_event(stream, channel, field, trim, maxlen, text)
  local id = redis.call('XADD', stream, 'MAXLEN', trim, maxlen, '*', field, text)
  redis.call('PUBLISH', channel, text)
  return id
end
"""
"""`emit_event(route.stream, route.channel, route.field, route.trim, route.maxlen, text)`."""


def events_channel(domain: Domain) -> str:
    """The pub/sub channel of a domain, as in the original: `{domain}:events`."""
    return f"{domain}:events"


def events_stream(domain: Domain) -> str:
    """The stream key of a domain: `{<domain>}:events:stream` (hash tag on the domain)."""
    return f"{{{domain}}}:events:stream"


@dataclass(frozen=True, slots=True)
class EventRoute:
    """Where one domain's events are written and how its stream is capped."""

    domain: Domain
    stream: str
    channel: str
    field: str
    maxlen: int
    approximate: bool

    def __post_init__(self) -> None:
        if self.maxlen < 1:
            raise ValueError(f"the stream cap must be at least 1, got {self.maxlen}")

    @property
    def trim(self) -> Literal["~", "="]:
        """XADD's MAXLEN operator: `~` (trim whole nodes, cheaper) or `=` (exact)."""
        return "~" if self.approximate else "="


def event_route(
    domain: Domain, *, maxlen: int = DEFAULT_STREAM_MAXLEN, approximate: bool = False
) -> EventRoute:
    """The route of `domain`'s events, its stream capped at `maxlen` entries.

    With `approximate`, Redis trims only whole stream nodes, so the stream may hold up
    to a node (100 entries by default) more than `maxlen`; cheaper for heavy producers.
    """
    return EventRoute(
        domain=domain,
        stream=events_stream(domain),
        channel=events_channel(domain),
        field=EVENT_FIELD,
        maxlen=maxlen,
        approximate=approximate,
    )
