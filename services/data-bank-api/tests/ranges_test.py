"""Range header decisions (RFC 9110 §14) for single byte ranges."""

import pytest

from data_bank_api.ranges import (
    INVALID_RANGE,
    UNSATISFIABLE,
    WHOLE_FILE,
    ByteRange,
    RangeDecision,
    parse_range,
    unsatisfied_content_range,
)


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 10, WHOLE_FILE),
        ("bytes=0-3", 10, ByteRange(0, 3)),
        ("bytes=5-15", 20, ByteRange(5, 15)),
        ("bytes=5-99", 10, ByteRange(5, 9)),
        ("bytes=5-", 10, ByteRange(5, 9)),
        ("bytes=9-9", 10, ByteRange(9, 9)),
        ("Bytes=1-2", 10, ByteRange(1, 2)),
        ("bytes= 1-2 ,", 10, ByteRange(1, 2)),
        ("bytes=-3", 10, ByteRange(7, 9)),
        ("bytes=-10", 10, ByteRange(0, 9)),
        ("bytes=-50", 10, ByteRange(0, 9)),
        ("bytes=-0", 10, UNSATISFIABLE),
        ("bytes=10-", 10, UNSATISFIABLE),
        ("bytes=999999-", 10, UNSATISFIABLE),
        ("bytes=" + "9" * 5000 + "-", 10, UNSATISFIABLE),
        ("bytes=0-" + "9" * 5000, 10, ByteRange(0, 9)),
        ("bytes=0-", 0, UNSATISFIABLE),
        ("bytes=0-5", 0, UNSATISFIABLE),
        ("bytes=-5", 0, WHOLE_FILE),
        ("bytes=abc-", 10, INVALID_RANGE),
        ("bytes=1-abc", 10, INVALID_RANGE),
        ("bytes=-abc", 10, INVALID_RANGE),
        ("bytes=5-2", 10, INVALID_RANGE),
        ("bytes=5--1", 10, INVALID_RANGE),
        ("bytes=\u0661-2", 10, INVALID_RANGE),
        ("bytes=", 10, INVALID_RANGE),
        ("bytes=-", 10, INVALID_RANGE),
        ("bytes=5", 10, INVALID_RANGE),
        ("bytes", 10, INVALID_RANGE),
        ("bytes=0-1,abc", 10, INVALID_RANGE),
        ("bytes=0-1,2-3", 10, WHOLE_FILE),
        ("bytes=0-1, -2", 10, WHOLE_FILE),
        ("bad=0-10", 10, WHOLE_FILE),
        ("items=0-1", 10, WHOLE_FILE),
    ],
)
def test_parse_range(header: str | None, size: int, expected: RangeDecision) -> None:
    assert parse_range(header, size) == expected


def test_byte_range_length_and_content_range() -> None:
    selected = ByteRange(5, 15)
    assert selected.length == 11
    assert selected.content_range(20) == "bytes 5-15/20"


def test_unsatisfied_content_range() -> None:
    assert unsatisfied_content_range(0) == "bytes */0"
    assert unsatisfied_content_range(42) == "bytes */42"
