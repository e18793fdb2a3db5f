"""The queue scripts' replies, parsed into typed values (a bad shape is `RedisReplyError`)."""

from dataclasses import dataclass

from platform_workers.async_redis import RedisReplyError, Reply
from platform_workers.async_redis.reply import as_int, as_list, as_str, as_str_dict


@dataclass(frozen=True, slots=True)
class Verdict:
    """One job's answer from START or RENEW: a word, and its argument if it has one."""

    word: str
    number: int = 0
    text: str = ""


def verdicts(reply: Reply, expected: int) -> list[Verdict]:
    """`[[word], [word, n, text] | [word, text], ...]`, one per job."""
    items = as_list(reply)
    if len(items) != expected:
        raise RedisReplyError(f"expected {expected} answers, got {reply!r}")
    out: list[Verdict] = []
    for item in items:
        parts = as_list(item)
        word = as_str(parts[0]) if parts else ""
        if word == "run" and len(parts) == 3:
            out.append(Verdict(word, as_int(parts[1]), as_str(parts[2])))
        elif word == "cancel" and len(parts) == 2:
            out.append(Verdict(word, text=as_str(parts[1])))
        elif word in ("ok", "lost", "skip", "dead") and len(parts) == 1:
            out.append(Verdict(word))
        else:
            raise RedisReplyError(f"unexpected answer {item!r}")
    return out


def flags(reply: Reply, expected: int) -> list[bool]:
    """FINISH: `[1 | 0, ...]`, one per job (0: the worker no longer owned it)."""
    items = as_list(reply)
    if len(items) != expected:
        raise RedisReplyError(f"expected {expected} answers, got {reply!r}")
    return [as_int(item) == 1 for item in items]


@dataclass(frozen=True, slots=True)
class Claimed:
    """An entry taken over from a worker whose lease lapsed."""

    entry: str
    fields: dict[str, str]
    deliveries: int


@dataclass(frozen=True, slots=True)
class Maintenance:
    """MAINTAIN's answer: reclaimed entries, due delayed job ids, the next due time."""

    claimed: list[Claimed]
    due: list[str]
    next_due_ms: int
    now_ms: int


def maintenance(reply: Reply) -> Maintenance:
    """`[[[entry, [field, value...], deliveries]...], [job id...], next due | -1, now]`."""
    items = as_list(reply)
    if len(items) != 4:
        raise RedisReplyError(f"expected MAINTAIN's four parts, got {reply!r}")
    claimed: list[Claimed] = []
    for item in as_list(items[0]):
        parts = as_list(item)
        if len(parts) != 3:
            raise RedisReplyError(f"expected a claimed entry, got {item!r}")
        claimed.append(Claimed(as_str(parts[0]), as_str_dict(parts[1]), as_int(parts[2])))
    due = [as_str(job_id) for job_id in as_list(items[1])]
    return Maintenance(claimed, due, as_int(items[2]), as_int(items[3]))
