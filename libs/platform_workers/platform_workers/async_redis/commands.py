"""Every Redis command the platform uses, as a typed `Command[T]`.

A command is its arguments plus the parser that turns the reply into `T`. The
client runs one (`await client.run(cmd)`), a pipeline queues many and runs them
in one round trip (`pipe.add(cmd)`), and the client's convenience methods are
thin calls of these builders, so each command is written once.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from platform_workers.async_redis import reply as r
from platform_workers.async_redis.reply import Reply

T = TypeVar("T")
Arg = str | int | float


@dataclass(frozen=True, slots=True)
class Command(Generic[T]):
    """One Redis command and how to read its reply."""

    args: tuple[Arg, ...]
    parse: Callable[[Reply], T]

    @property
    def name(self) -> str:
        """The command's name, e.g. `XADD`."""
        return str(self.args[0])


def _pairs(mapping: Mapping[str, Arg]) -> list[Arg]:
    flat: list[Arg] = []
    for key, value in mapping.items():
        flat += [key, value]
    return flat


def _raw(value: Reply) -> Reply:
    return value


def _none(_: Reply) -> None:
    return None


# --- connection -----------------------------------------------------------------


def ping() -> Command[str]:
    """PING: answers `PONG`."""
    return Command(("PING",), r.as_str)


# --- strings --------------------------------------------------------------------


def get(key: str) -> Command[str | None]:
    """GET."""
    return Command(("GET", key), r.as_optional_str)


def set_(key: str, value: Arg, *, px: int | None = None, nx: bool = False) -> Command[bool]:
    """SET [PX ms] [NX]: True when written (False only when NX found the key)."""
    args: list[Arg] = ["SET", key, value]
    if px is not None:
        args += ["PX", px]
    if nx:
        args.append("NX")
    return Command(tuple(args), r.as_ok)


def delete(*keys: str) -> Command[int]:
    """DEL: how many keys existed."""
    return Command(("DEL", *keys), r.as_int)


def exists(*keys: str) -> Command[int]:
    """EXISTS: how many of the keys exist."""
    return Command(("EXISTS", *keys), r.as_int)


def pexpire(key: str, ms: int) -> Command[bool]:
    """PEXPIRE: False when the key does not exist."""
    return Command(("PEXPIRE", key, ms), lambda v: r.as_int(v) == 1)


def pttl(key: str) -> Command[int]:
    """PTTL: ms to live, -1 without expiry, -2 when missing."""
    return Command(("PTTL", key), r.as_int)


def incr(key: str, by: int = 1) -> Command[int]:
    """INCRBY."""
    return Command(("INCRBY", key, by), r.as_int)


# --- hashes ---------------------------------------------------------------------


def hset(key: str, mapping: Mapping[str, Arg]) -> Command[int]:
    """HSET key field value ...: how many fields were new."""
    if not mapping:
        raise ValueError("HSET needs at least one field")
    return Command(("HSET", key, *_pairs(mapping)), r.as_int)


def hget(key: str, field: str) -> Command[str | None]:
    """HGET."""
    return Command(("HGET", key, field), r.as_optional_str)


def hgetall(key: str) -> Command[dict[str, str]]:
    """HGETALL: empty when the key does not exist."""
    return Command(("HGETALL", key), r.as_str_dict)


def hdel(key: str, *fields: str) -> Command[int]:
    """HDEL: how many fields were removed."""
    return Command(("HDEL", key, *fields), r.as_int)


# --- pub/sub --------------------------------------------------------------------


def publish(channel: str, message: str) -> Command[int]:
    """PUBLISH: how many subscribers received it."""
    return Command(("PUBLISH", channel, message), r.as_int)


# --- streams --------------------------------------------------------------------


def xadd(
    stream: str,
    fields: Mapping[str, Arg],
    *,
    entry_id: str = "*",
    maxlen: int | None = None,
    approximate: bool = True,
) -> Command[str]:
    """XADD [MAXLEN [~] n] id field value ...: the new entry's id."""
    if not fields:
        raise ValueError("XADD needs at least one field")
    args: list[Arg] = ["XADD", stream]
    if maxlen is not None:
        args += ["MAXLEN", "~", maxlen] if approximate else ["MAXLEN", maxlen]
    args.append(entry_id)
    return Command((*args, *_pairs(fields)), r.as_str)


def xlen(stream: str) -> Command[int]:
    """XLEN."""
    return Command(("XLEN", stream), r.as_int)


def xrange(
    stream: str, start: str = "-", end: str = "+", count: int | None = None
) -> Command[list[r.StreamEntry]]:
    """XRANGE."""
    args: list[Arg] = ["XRANGE", stream, start, end]
    if count is not None:
        args += ["COUNT", count]
    return Command(tuple(args), r.as_entries)


def _read_args(streams: Mapping[str, str], count: int | None, block_ms: int | None) -> list[Arg]:
    if not streams:
        raise ValueError("XREAD needs at least one stream")
    args: list[Arg] = []
    if count is not None:
        args += ["COUNT", count]
    if block_ms is not None:
        args += ["BLOCK", block_ms]
    return [*args, "STREAMS", *streams.keys(), *streams.values()]


def xread(
    streams: Mapping[str, str], *, count: int | None = None, block_ms: int | None = None
) -> Command[list[r.StreamBatch]]:
    """XREAD [COUNT n] [BLOCK ms] STREAMS key ... id ...: empty when BLOCK timed out."""
    return Command(("XREAD", *_read_args(streams, count, block_ms)), r.as_batches)


def xreadgroup(
    group: str,
    consumer: str,
    streams: Mapping[str, str],
    *,
    count: int | None = None,
    block_ms: int | None = None,
) -> Command[list[r.StreamBatch]]:
    """XREADGROUP GROUP g c [COUNT n] [BLOCK ms] STREAMS key ... id ...."""
    args: tuple[Arg, ...] = (
        "XREADGROUP",
        "GROUP",
        group,
        consumer,
        *_read_args(streams, count, block_ms),
    )
    return Command(args, r.as_batches)


def xack(stream: str, group: str, *ids: str) -> Command[int]:
    """XACK: how many were acknowledged."""
    return Command(("XACK", stream, group, *ids), r.as_int)


def xdel(stream: str, *ids: str) -> Command[int]:
    """XDEL: how many were deleted."""
    return Command(("XDEL", stream, *ids), r.as_int)


def xgroup_create(
    stream: str, group: str, *, start_id: str = "$", mkstream: bool = True
) -> Command[None]:
    """XGROUP CREATE [MKSTREAM]. Raises RedisCommandError (BUSYGROUP) if the group exists."""
    args: list[Arg] = ["XGROUP", "CREATE", stream, group, start_id]
    if mkstream:
        args.append("MKSTREAM")
    return Command(tuple(args), _none)


def xautoclaim(
    stream: str,
    group: str,
    consumer: str,
    min_idle_ms: int,
    *,
    start: str = "0-0",
    count: int | None = None,
) -> Command[r.AutoClaimed]:
    """XAUTOCLAIM: take over entries idle for at least `min_idle_ms`."""
    args: list[Arg] = ["XAUTOCLAIM", stream, group, consumer, min_idle_ms, start]
    if count is not None:
        args += ["COUNT", count]
    return Command(tuple(args), r.as_autoclaimed)


def xclaim_justid(
    stream: str, group: str, consumer: str, min_idle_ms: int, ids: list[str]
) -> Command[list[str]]:
    """XCLAIM ... JUSTID: claims (and resets the idle time of) entries; their ids."""
    if not ids:
        raise ValueError("XCLAIM needs at least one id")
    args: tuple[Arg, ...] = ("XCLAIM", stream, group, consumer, min_idle_ms, *ids, "JUSTID")
    return Command(args, r.as_str_list)


def xclaim(
    stream: str, group: str, consumer: str, min_idle_ms: int, ids: list[str]
) -> Command[list[r.StreamEntry]]:
    """XCLAIM: claims entries and returns them."""
    if not ids:
        raise ValueError("XCLAIM needs at least one id")
    return Command(("XCLAIM", stream, group, consumer, min_idle_ms, *ids), r.as_entries)


def xpending_summary(stream: str, group: str) -> Command[r.PendingSummary]:
    """XPENDING key group."""
    return Command(("XPENDING", stream, group), r.as_pending_summary)


def xpending(
    stream: str,
    group: str,
    *,
    count: int,
    start: str = "-",
    end: str = "+",
    consumer: str | None = None,
    min_idle_ms: int | None = None,
) -> Command[list[r.PendingEntry]]:
    """XPENDING key group [IDLE ms] start end count [consumer]."""
    args: list[Arg] = ["XPENDING", stream, group]
    if min_idle_ms is not None:
        args += ["IDLE", min_idle_ms]
    args += [start, end, count]
    if consumer is not None:
        args.append(consumer)
    return Command(tuple(args), r.as_pending_entries)


# --- sorted sets ----------------------------------------------------------------


def zadd(key: str, mapping: Mapping[str, float], *, nx: bool = False) -> Command[int]:
    """ZADD [NX] score member ...: how many members were added."""
    if not mapping:
        raise ValueError("ZADD needs at least one member")
    args: list[Arg] = ["ZADD", key]
    if nx:
        args.append("NX")
    for member, score in mapping.items():
        args += [score, member]
    return Command(tuple(args), r.as_int)


def zrem(key: str, *members: str) -> Command[int]:
    """ZREM: how many were removed."""
    return Command(("ZREM", key, *members), r.as_int)


def zscore(key: str, member: str) -> Command[float | None]:
    """ZSCORE: nil when the member is absent."""
    return Command(("ZSCORE", key, member), r.as_optional_float)


def zcard(key: str) -> Command[int]:
    """ZCARD."""
    return Command(("ZCARD", key), r.as_int)


def zrangebyscore(
    key: str, minimum: str, maximum: str, *, offset: int = 0, count: int | None = None
) -> Command[list[tuple[str, float]]]:
    """ZRANGEBYSCORE ... WITHSCORES [LIMIT offset count]: (member, score) pairs."""
    args: list[Arg] = ["ZRANGEBYSCORE", key, minimum, maximum, "WITHSCORES"]
    if count is not None:
        args += ["LIMIT", offset, count]
    return Command(tuple(args), r.as_scored)


# --- scripts --------------------------------------------------------------------


def evalsha(sha: str, keys: list[str], args: list[Arg]) -> Command[Reply]:
    """EVALSHA: the script's reply, untyped (the caller parses it)."""
    return Command(("EVALSHA", sha, len(keys), *keys, *args), _raw)


def eval_(source: str, keys: list[str], args: list[Arg]) -> Command[Reply]:
    """EVAL: the script's reply, untyped (the caller parses it)."""
    return Command(("EVAL", source, len(keys), *keys, *args), _raw)


def script_load(source: str) -> Command[str]:
    """SCRIPT LOAD: the script's SHA1."""
    return Command(("SCRIPT", "LOAD", source), r.as_str)


def raw(*args: Arg) -> Command[Reply]:
    """Any other command, reply untyped: for tests and one-off administration."""
    if not args:
        raise ValueError("a command needs a name")
    return Command(tuple(args), _raw)


# --- added for platform_core.async_events ---------------------------------------


def xrevrange(
    stream: str, end: str = "+", start: str = "-", count: int | None = None
) -> Command[list[r.StreamEntry]]:
    """XREVRANGE: entries from `end` down to `start`, newest first."""
    args: list[Arg] = ["XREVRANGE", stream, end, start]
    if count is not None:
        args += ["COUNT", count]
    return Command(tuple(args), r.as_entries)
