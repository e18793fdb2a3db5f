"""Reply parsers accept exactly the shapes their commands produce."""

from collections.abc import Callable

import pytest

from platform_workers.async_redis import RedisReplyError
from platform_workers.async_redis import reply as r


def test_to_reply_checks_recursively() -> None:
    assert r.to_reply(["a", 1, None, ["b"]]) == ["a", 1, None, ["b"]]
    with pytest.raises(RedisReplyError, match="unexpected reply type bytes"):
        r.to_reply([b"raw"])


@pytest.mark.parametrize(
    ("parser", "bad", "message"),
    [
        (r.as_str, 1, "expected a string reply"),
        (r.as_int, "1", "expected an integer reply"),
        (r.as_ok, "QUEUED", "expected OK or nil"),
        (r.as_list, "x", "expected an array reply"),
        (r.as_str_dict, ["a"], "expected field/value pairs"),
        (r.as_pair, ["a"], "expected a pair"),
        (r.as_autoclaimed, ["0-0", []], "expected XAUTOCLAIM's three parts"),
        (r.as_pending_entries, [["1-0", "c", 1]], "expected a pending entry"),
        (r.as_pending_summary, [0, None, None], "expected XPENDING's summary"),
        (r.as_scored, ["m"], "expected member/score pairs"),
    ],
)
def test_wrong_shapes_are_errors(
    parser: Callable[[r.Reply], object], bad: r.Reply, message: str
) -> None:
    with pytest.raises(RedisReplyError, match=message):
        parser(bad)


def test_scalars() -> None:
    assert r.as_optional_str(None) is None
    assert r.as_optional_float(None) is None
    assert r.as_optional_float("1.5") == 1.5
    assert r.as_ok(None) is False
    assert r.as_ok("OK") is True


def test_stream_shapes() -> None:
    assert r.as_entry(["1-0", None]) == r.StreamEntry("1-0", None)
    assert r.as_batches(None) == []
    summary = r.as_pending_summary([2, "1-0", "2-0", [["w1", "2"]]])
    assert summary == r.PendingSummary(2, "1-0", "2-0", {"w1": 2})
    assert r.as_pending_summary([0, None, None, None]).consumers == {}
