"""The queue scripts' replies, read by name into typed values (a bad shape is `RedisReplyError`).

Each script answers with name, value pairs (`lua.fields`); these parsers are the reply
half of each script's description in `scripts`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from platform_workers.async_queue.lua import fields, pairs
from platform_workers.async_redis import RedisReplyError, Reply
from platform_workers.async_redis.reply import as_int, as_list, as_str, as_str_dict

T = TypeVar("T")
Parse = Callable[[Reply], T]
"""A reply parser: the third part of a script's description."""

VerdictWord = Literal["run", "cancel", "ok", "lost", "skip", "dead"]

_VERDICT_FIELDS: dict[str, tuple[str, ...]] = {
    "run": ("verdict", "attempt", "payload"),
    "cancel": ("verdict", "reason"),
    "ok": ("verdict",),
    "lost": ("verdict",),
    "skip": ("verdict",),
    "dead": ("verdict",),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """One job's answer from START or RENEW: `run` (with its attempt number and payload),
    `cancel` (with the reason), `ok`, `lost`, `skip` or `dead`."""

    word: VerdictWord
    attempt: int = 0
    payload: str = ""
    reason: str = ""


def _word(value: Reply) -> VerdictWord:
    for known in ("run", "cancel", "ok", "lost", "skip", "dead"):
        if value == known:
            return known
    raise RedisReplyError(f"unknown verdict {value!r}")


def _verdict(item: Reply) -> Verdict:
    word = _word(pairs(item).get("verdict"))
    found = fields(item, _VERDICT_FIELDS[word])
    if word == "run":
        return Verdict(
            word=word, attempt=as_int(found["attempt"]), payload=as_str(found["payload"])
        )
    if word == "cancel":
        return Verdict(word=word, reason=as_str(found["reason"]))
    return Verdict(word=word)


def verdicts(name: str) -> Parse[list[Verdict]]:
    """`{name, {verdict...}}`: START's `verdicts`, RENEW's `renewed`."""

    def parse(reply: Reply) -> list[Verdict]:
        return [_verdict(item) for item in as_list(fields(reply, (name,))[name])]

    return parse


def counted(answers: list[T], expected: int) -> list[T]:
    """`answers`, once there is one per job sent (else `RedisReplyError`)."""
    if len(answers) != expected:
        raise RedisReplyError(f"expected {expected} answers, got {len(answers)}")
    return answers


def flags(reply: Reply) -> list[bool]:
    """FINISH: `{'finished', {1 | 0, ...}}` (0: this call wrote nothing to the job)."""
    return [as_int(item) == 1 for item in as_list(fields(reply, ("finished",))["finished"])]


def flag(name: str) -> Parse[bool]:
    """`{name, 1 | 0}`."""

    def parse(reply: Reply) -> bool:
        return as_int(fields(reply, (name,))[name]) == 1

    return parse


def number(name: str) -> Parse[int]:
    """`{name, n}`."""

    def parse(reply: Reply) -> int:
        return as_int(fields(reply, (name,))[name])

    return parse


def word(name: str) -> Parse[str]:
    """`{name, text}`."""

    def parse(reply: Reply) -> str:
        return as_str(fields(reply, (name,))[name])

    return parse


@dataclass(frozen=True, slots=True, kw_only=True)
class Claimed:
    """An entry taken over from a worker whose lease lapsed."""

    entry: str
    fields: dict[str, str]
    deliveries: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Maintenance:
    """MAINTAIN's answer: reclaimed entries, due delayed job ids, the next due time."""

    claimed: list[Claimed]
    due: list[str]
    next_due_ms: int
    now_ms: int


def _claimed(item: Reply) -> Claimed:
    found = fields(item, ("entry", "fields", "deliveries"))
    return Claimed(
        entry=as_str(found["entry"]),
        fields=as_str_dict(found["fields"]),
        deliveries=as_int(found["deliveries"]),
    )


def maintenance(reply: Reply) -> Maintenance:
    """`{'claimed', {...}, 'due', {job id...}, 'next_due', ms | -1, 'now', ms}`."""
    found = fields(reply, ("claimed", "due", "next_due", "now"))
    return Maintenance(
        claimed=[_claimed(item) for item in as_list(found["claimed"])],
        due=[as_str(job_id) for job_id in as_list(found["due"])],
        next_due_ms=as_int(found["next_due"]),
        now_ms=as_int(found["now"]),
    )
