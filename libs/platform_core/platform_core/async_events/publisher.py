"""`EventPublisher`: append an event to its domain's capped stream and PUBLISH it, atomically.

Each `publish` is one Redis call (a Lua script, EMIT_EVENT_LUA): XADD with the cap, then
PUBLISH on `{domain}:events` with the same text. If the XADD fails the script stops
before the PUBLISH, so a live subscriber never sees an event the stream does not hold.
`publish_many` does the same for a batch in one call, in order. Failures raise the
`platform_workers.async_redis` errors; nothing retries.
"""

from collections.abc import Sequence
from importlib.resources import files

from platform_core.async_events.codec import encode_event
from platform_core.async_events.models import Domain, Event
from platform_core.async_events.routes import (
    DEFAULT_STREAM_MAXLEN,
    EMIT_EVENT_LUA,
    EventRoute,
    event_route,
)
from platform_workers.async_redis import Arg, RedisClient, RedisReplyError, Reply, Script

EMIT_MANY = Script(EMIT_EVENT_LUA + files(__package__).joinpath("publish_many.lua").read_text())
"""Emit each event i: KEYS[i] is its stream, ARGV[2i-1] its route's `lua_arg`, ARGV[2i] its text."""


def _entry_ids(reply: Reply, expected: int) -> list[str]:
    if not isinstance(reply, list) or len(reply) != expected:
        raise RedisReplyError(f"expected {expected} stream entry ids, got {reply!r}")
    ids: list[str] = []
    for item in reply:
        if not isinstance(item, str):
            raise RedisReplyError(f"expected a stream entry id, got {item!r}")
        ids.append(item)
    return ids


class EventPublisher:
    """Publishes events on `redis`; every domain stream is capped at `maxlen` entries.

    `approximate=True` lets Redis trim whole stream nodes only (cheaper; the stream may
    then hold up to about 100 entries more than `maxlen`).
    """

    def __init__(
        self,
        redis: RedisClient,
        *,
        maxlen: int = DEFAULT_STREAM_MAXLEN,
        approximate: bool = False,
    ) -> None:
        self._redis = redis
        self._maxlen = maxlen
        self._approximate = approximate
        self._routes: dict[str, EventRoute] = {}

    def route(self, domain: Domain) -> EventRoute:
        """The stream, channel and cap this publisher uses for `domain`."""
        route = self._routes.get(domain)
        if route is None:
            route = event_route(domain, maxlen=self._maxlen, approximate=self._approximate)
            self._routes[domain] = route
        return route

    async def publish(self, event: Event) -> str:
        """Append `event` to its domain's stream and PUBLISH it; the stream entry id."""
        return (await self.publish_many([event]))[0]

    async def publish_many(self, events: Sequence[Event]) -> list[str]:
        """Publish `events` in order in one atomic call; their stream entry ids.

        In Redis Cluster, a batch must hold events of one domain (one hash slot).
        """
        if not events:
            return []
        keys: list[str] = []
        args: list[Arg] = []
        for event in events:
            route = self.route(event.domain)
            keys.append(route.stream)
            args += [route.lua_arg, encode_event(event)]
        reply = await self._redis.eval_script(EMIT_MANY, keys, args)
        return _entry_ids(reply, len(events))
