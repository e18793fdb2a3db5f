"""Raw Redis replies (RESP2, decoded as UTF-8) and the parsers that type them.

redis-py's per-command response callbacks are switched off in this package, so
every reply arrives as one of the RESP2 shapes in `Reply`; each command states
the typed value it produces with one of the parsers here. A reply of any other
shape is a `RedisReplyError`, never a silent coercion.
"""

from dataclasses import dataclass

from platform_workers.async_redis.errors import RedisReplyError

Reply = str | int | None | list["Reply"]


def to_reply(value: object) -> Reply:
    """Check that a value from the wire is a RESP2 reply (recursively)."""
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, list):
        return [to_reply(item) for item in value]
    raise RedisReplyError(f"unexpected reply type {type(value).__name__}")


def as_str(reply: Reply) -> str:
    """A bulk or simple string."""
    if isinstance(reply, str):
        return reply
    raise RedisReplyError(f"expected a string reply, got {reply!r}")


def as_optional_str(reply: Reply) -> str | None:
    """A bulk string or nil."""
    return None if reply is None else as_str(reply)


def as_int(reply: Reply) -> int:
    """An integer reply."""
    if isinstance(reply, int):
        return reply
    raise RedisReplyError(f"expected an integer reply, got {reply!r}")


def as_float(reply: Reply) -> float:
    """A float, which RESP2 sends as a bulk string."""
    return float(as_str(reply))


def as_optional_float(reply: Reply) -> float | None:
    """A float or nil."""
    return None if reply is None else as_float(reply)


def as_ok(reply: Reply) -> bool:
    """`OK` (True) or nil (False), e.g. SET with NX."""
    if reply is None:
        return False
    if reply == "OK":
        return True
    raise RedisReplyError(f"expected OK or nil, got {reply!r}")


def as_list(reply: Reply) -> list[Reply]:
    """An array reply."""
    if isinstance(reply, list):
        return reply
    raise RedisReplyError(f"expected an array reply, got {reply!r}")


def as_str_list(reply: Reply) -> list[str]:
    """An array of strings."""
    return [as_str(item) for item in as_list(reply)]


def as_str_dict(reply: Reply) -> dict[str, str]:
    """A flat array of field/value pairs (HGETALL, stream entry fields)."""
    items = as_str_list(reply)
    if len(items) % 2:
        raise RedisReplyError(f"expected field/value pairs, got {len(items)} items")
    return dict(zip(items[::2], items[1::2], strict=True))


def as_pair(reply: Reply) -> tuple[Reply, Reply]:
    """A two-element array."""
    items = as_list(reply)
    if len(items) != 2:
        raise RedisReplyError(f"expected a pair, got {reply!r}")
    return items[0], items[1]


@dataclass(frozen=True, slots=True)
class StreamEntry:
    """One stream entry. `fields` is None for an entry deleted while pending."""

    id: str
    fields: dict[str, str] | None


@dataclass(frozen=True, slots=True)
class StreamBatch:
    """The entries read from one stream by XREAD/XREADGROUP."""

    stream: str
    entries: list[StreamEntry]


@dataclass(frozen=True, slots=True)
class AutoClaimed:
    """XAUTOCLAIM's answer: where to continue, the claimed entries, and ids found deleted."""

    next_start: str
    entries: list[StreamEntry]
    deleted: list[str]


@dataclass(frozen=True, slots=True)
class PendingEntry:
    """One entry of a consumer group's pending list (XPENDING, extended form)."""

    id: str
    consumer: str
    idle_ms: int
    deliveries: int


@dataclass(frozen=True, slots=True)
class PendingSummary:
    """XPENDING's summary: how many entries are pending, and per consumer."""

    count: int
    lowest_id: str | None
    highest_id: str | None
    consumers: dict[str, int]


def as_entry(reply: Reply) -> StreamEntry:
    """`[id, [field, value, ...]]`, or `[id, nil]` for a deleted entry."""
    entry_id, fields = as_pair(reply)
    return StreamEntry(as_str(entry_id), None if fields is None else as_str_dict(fields))


def as_entries(reply: Reply) -> list[StreamEntry]:
    """An array of stream entries (XRANGE, XCLAIM)."""
    return [as_entry(item) for item in as_list(reply)]


def as_batches(reply: Reply) -> list[StreamBatch]:
    """XREAD/XREADGROUP: nil (timed out) or `[[stream, entries], ...]`."""
    if reply is None:
        return []
    batches: list[StreamBatch] = []
    for item in as_list(reply):
        stream, entries = as_pair(item)
        batches.append(StreamBatch(as_str(stream), as_entries(entries)))
    return batches


def as_autoclaimed(reply: Reply) -> AutoClaimed:
    """XAUTOCLAIM (Redis >= 7): `[next, entries, deleted-ids]`."""
    items = as_list(reply)
    if len(items) != 3:
        raise RedisReplyError(f"expected XAUTOCLAIM's three parts, got {reply!r}")
    return AutoClaimed(as_str(items[0]), as_entries(items[1]), as_str_list(items[2]))


def as_pending_entries(reply: Reply) -> list[PendingEntry]:
    """XPENDING's extended form: `[[id, consumer, idle-ms, deliveries], ...]`."""
    pending: list[PendingEntry] = []
    for item in as_list(reply):
        parts = as_list(item)
        if len(parts) != 4:
            raise RedisReplyError(f"expected a pending entry, got {item!r}")
        pending.append(
            PendingEntry(as_str(parts[0]), as_str(parts[1]), as_int(parts[2]), as_int(parts[3]))
        )
    return pending


def as_pending_summary(reply: Reply) -> PendingSummary:
    """XPENDING's summary form: `[count, lowest, highest, [[consumer, count], ...] | nil]`."""
    items = as_list(reply)
    if len(items) != 4:
        raise RedisReplyError(f"expected XPENDING's summary, got {reply!r}")
    consumers: dict[str, int] = {}
    if items[3] is not None:
        for pair in as_list(items[3]):
            name, count = as_pair(pair)
            consumers[as_str(name)] = int(as_str(count))
    return PendingSummary(
        as_int(items[0]), as_optional_str(items[1]), as_optional_str(items[2]), consumers
    )


def as_scored(reply: Reply) -> list[tuple[str, float]]:
    """A WITHSCORES array: member, score, member, score, ..."""
    items = as_str_list(reply)
    if len(items) % 2:
        raise RedisReplyError(f"expected member/score pairs, got {len(items)} items")
    return [(member, float(score)) for member, score in zip(items[::2], items[1::2], strict=True)]
