"""Where a domain's events go: the stream key, the channel, the entry field and the cap.

    route = event_route("orders")  # stream "{orders}:events:stream", channel "orders:events"

The wire format of an emitted event is defined once, here and in `emit_event.lua`:
`XADD <stream> MAXLEN <trim> <maxlen> * <field> <text>` then `PUBLISH <channel> <text>`,
the text being `encode_event(event)`. `EventPublisher` and every producer that appends
events from its own Lua script (the job queue does, so that a job's state change and its
event are one atomic call) run that one Lua function, `EMIT_EVENT_LUA`: put it at the
top of the script, pass `route.stream` in KEYS (it has the domain's hash tag, `{orders}`, so
it lives in the same cluster slot as the domain's queue keys) and `route.lua_arg` in
ARGV, then call `emit_event(stream, cjson.decode(<that arg>), text)`.
"""

import dataclasses
import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Literal

from platform_core.async_events.models import Domain, check_domain

DEFAULT_STREAM_MAXLEN = 10_000
"""Events kept per domain stream unless configured otherwise."""

EVENT_FIELD = "event"
"""The one field of a stream entry; its value is the event's compact JSON."""

EMIT_EVENT_LUA = files(__package__).joinpath("emit_event.lua").read_text()
"""`local function emit_event(stream, route, text)`: XADD with the cap, then PUBLISH."""

ROUTE_LUA_FIELDS = ("channel", "field", "trim", "maxlen")
"""The keys of `EventRoute.lua_arg`: what `emit_event` reads from its `route`."""


def events_channel(domain: Domain) -> str:
    """The pub/sub channel of a domain, as in the original: `{domain}:events`."""
    return f"{check_domain(domain)}:events"


def events_stream(domain: Domain) -> str:
    """The stream key of a domain: `{<domain>}:events:stream` (hash tag on the domain)."""
    return f"{{{check_domain(domain)}}}:events:stream"


@dataclass(frozen=True, slots=True)
class EventRoute:
    """Where one domain's events are written and how its stream is capped."""

    domain: Domain
    stream: str
    channel: str
    field: str
    maxlen: int
    approximate: bool
    lua_arg: str = dataclasses.field(init=False, repr=False, compare=False)
    """The route as `emit_event.lua` reads it: JSON of `ROUTE_LUA_FIELDS`, one ARGV."""

    def __post_init__(self) -> None:
        if self.maxlen < 1:
            raise ValueError(f"the stream cap must be at least 1, got {self.maxlen}")
        fields: dict[str, str | int] = {
            "channel": self.channel,
            "field": self.field,
            "trim": self.trim,
            "maxlen": self.maxlen,
        }
        object.__setattr__(self, "lua_arg", json.dumps(fields, separators=(",", ":")))

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
        domain=check_domain(domain),
        stream=events_stream(domain),
        channel=events_channel(domain),
        field=EVENT_FIELD,
        maxlen=maxlen,
        approximate=approximate,
    )
