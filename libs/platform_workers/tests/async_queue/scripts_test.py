"""The Python/Lua boundary: each script's file reads exactly the names its description
gives, a script called with another's shape fails before anything is sent, and replies
are read by name (a reply of another shape raises)."""

from typing import Protocol

import pytest

from platform_workers.async_queue.lua import LuaScript, binding, fields, source_of
from platform_workers.async_queue.replies import counted, flag, flags, maintenance, verdicts
from platform_workers.async_queue.scripts import (
    ENQUEUE,
    ENSURE_GROUP,
    LIVE_WORKERS,
    SCRIPTS,
    START,
    EnqueueArgs,
    EnqueueKeys,
    GroupArgs,
    NoArgs,
    StartArgs,
    StartKeys,
    StreamKeys,
    WorkersKeys,
)
from platform_workers.async_redis import RedisClient, RedisReplyError, Reply


class Described(Protocol):
    """What the test reads of a script's description."""

    @property
    def name(self) -> str: ...

    @property
    def key_names(self) -> tuple[str, ...]: ...

    @property
    def arg_names(self) -> tuple[str, ...]: ...

    @property
    def each_key(self) -> str | None: ...


DESCRIBED: list[Described] = list(SCRIPTS)


def used(table: str, text: str) -> set[str]:
    """The names `text` reads from the Lua table `table` (`KEY.stream` -> `stream`)."""
    found: set[str] = set()
    for chunk in text.split(table + ".")[1:]:
        end = 0
        while end < len(chunk) and (chunk[end].isalnum() or chunk[end] == "_"):
            end += 1
        found.add(chunk[:end])
    return found


def undescribed(script: Described) -> list[str]:
    """What the script's file and its description disagree on (empty: nothing)."""
    text = source_of(script.name)
    each = {script.each_key} if script.each_key is not None else set()
    problems = [
        f"{table}.{name}"
        for table, names, read in (
            ("KEY", set(script.key_names) | each, used("KEY", text)),
            ("ARG", set(script.arg_names), used("ARG", text)),
        )
        for name in sorted(names ^ read)
    ]
    problems += [raw for raw in ("KEYS[", "ARGV[") if raw in text]
    return problems


@pytest.mark.parametrize("script", DESCRIBED, ids=[script.name for script in DESCRIBED])
def test_each_file_reads_exactly_the_names_of_its_description(script: Described) -> None:
    assert undescribed(script) == []


MISDESCRIBED = LuaScript(
    "enqueue", EnqueueKeys, ("job", "stream"), EnqueueArgs, EnqueueArgs._fields, flag("enqueued")
)


def test_a_misdescribed_script_fails_the_check() -> None:
    assert undescribed(MISDESCRIBED) == ["KEY.delayed"]


def test_the_descriptions_are_their_named_tuples() -> None:
    assert ENQUEUE.key_names == EnqueueKeys._fields
    assert START.arg_names == StartArgs._fields
    assert binding(("job", "stream"), ("id",), None) == (
        "local KEY = {job = KEYS[1], stream = KEYS[2]}\nlocal ARG = {id = ARGV[1]}\n"
    )
    assert binding(("stream",), (), "jobs") == (
        "local KEY = {stream = KEYS[1]}\nKEY.jobs = {}\n"
        "for i = 2, #KEYS do KEY.jobs[i - 1] = KEYS[i] end\nlocal ARG = {}\n"
    )


async def test_a_script_called_with_another_shape_fails(redis: RedisClient) -> None:
    enqueue_keys = EnqueueKeys(job="j", stream="s", delayed="d")
    enqueue_args = EnqueueArgs(job_id="j", task="t", user_id=1, payload="{}", ttl_ms=1, delay_ms=0)
    start_keys = StartKeys(stream="{q}:s", events="{q}:e", dead="{q}:d")
    start_args = StartArgs(route="{}", group="g", consumer="c", dead_cap=1, limit=1, jobs="[]")
    before = redis.stats.round_trips
    with pytest.raises(TypeError, match=r"enqueue\.lua takes KEYS \('job', 'stream'\)"):
        await MISDESCRIBED(redis, enqueue_keys, enqueue_args)
    with pytest.raises(TypeError, match=r"enqueue\.lua takes no per-job keys"):
        await ENQUEUE(redis, enqueue_keys, enqueue_args, each=["x"])
    assert redis.stats.round_trips == before
    created = await ENSURE_GROUP(redis, StreamKeys(stream="{q}:s"), GroupArgs(group="g", start="0"))
    assert created
    assert await START(redis, start_keys, start_args, each=[]) == []
    assert await LIVE_WORKERS(redis, WorkersKeys(workers="{q}:workers"), NoArgs()) == 0


def test_replies_are_read_by_name() -> None:
    parse = verdicts("verdicts")
    answers: Reply = [
        "verdicts",
        [
            ["verdict", "run", "attempt", 2, "payload", "{}"],
            ["verdict", "cancel", "reason", "why"],
            ["payload", "{}", "verdict", "run", "attempt", 3],
            ["verdict", "lost"],
        ],
    ]
    found = parse(answers)
    assert [(v.word, v.attempt, v.payload, v.reason) for v in found] == [
        ("run", 2, "{}", ""),
        ("cancel", 0, "", "why"),
        ("run", 3, "{}", ""),
        ("lost", 0, "", ""),
    ]
    assert flags(["finished", [1, 0]]) == [True, False]
    claimed = maintenance(
        [
            "claimed",
            [["entry", "1-0", "fields", ["job", "j"], "deliveries", 2]],
            "due",
            ["d"],
            "next_due",
            7,
            "now",
            5,
        ]
    )
    assert (claimed.claimed[0].deliveries, claimed.due, claimed.next_due_ms) == (2, ["d"], 7)


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (["verdicts", [["verdict", "run", "attempt", 1]]], "expected the fields verdict, attempt"),
        (["verdicts", [["verdict", "odd"]]], "unknown verdict 'odd'"),
        (["verdicts", [[]]], "unknown verdict None"),
        (["verdicts", [["verdict", "ok", "extra", 1]]], "expected the fields verdict, got"),
        (["verdicts", [["verdict", "ok", "verdict", "ok"]]], "a name repeats"),
        (["verdicts"], "expected name, value pairs"),
        (["answers", []], "expected the fields verdicts, got"),
        ("verdicts", "expected an array reply"),
    ],
)
def test_a_reply_of_another_shape_raises(reply: Reply, message: str) -> None:
    with pytest.raises(RedisReplyError, match=message):
        verdicts("verdicts")(reply)


def test_each_job_gets_one_answer() -> None:
    assert counted([True], 1) == [True]
    with pytest.raises(RedisReplyError, match="expected 2 answers, got 1"):
        counted([True], 2)


def test_fields_need_exactly_the_names() -> None:
    assert fields(["a", 1, "b", "x"], ("b", "a")) == {"a": 1, "b": "x"}
    with pytest.raises(RedisReplyError, match="expected the fields a, got"):
        fields(["a", 1, "b", 2], ("a",))
    with pytest.raises(RedisReplyError, match="claimed, due, next_due, now"):
        maintenance(["claimed", [], "due", [], "next_due", -1])
