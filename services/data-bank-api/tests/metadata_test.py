"""The sidecar format and content-type rules."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from data_bank_api.metadata import ObjectMeta, encode_meta, is_content_type, parse_meta

SHA = "ab" * 32


def test_round_trip() -> None:
    meta = ObjectMeta(
        sha256=SHA,
        content_type="text/plain; charset=utf-8",
        created_at=datetime(2024, 1, 2, tzinfo=UTC),
    )
    raw = encode_meta(meta)
    assert (
        raw
        == (
            f"sha256={SHA}\ncontent_type=text/plain; charset=utf-8\n"
            "created_at=2024-01-02T00:00:00+00:00\n"
        ).encode()
    )
    assert parse_meta(raw) == meta


def test_created_at_is_optional() -> None:
    meta = ObjectMeta(sha256=SHA, content_type="a/b", created_at=None)
    assert encode_meta(meta) == f"sha256={SHA}\ncontent_type=a/b\n".encode()
    assert parse_meta(encode_meta(meta)) == meta


def test_the_original_format_reads() -> None:
    raw = (
        f"sha256={SHA}\ncontent_type=application/json\n"
        "created_at=2024-05-01T10:00:00.123456+02:00\nextra=1\nnoise\n"
    )
    meta = parse_meta(raw.encode())
    assert isinstance(meta, ObjectMeta)
    assert meta.content_type == "application/json"
    assert meta.created_at == datetime(
        2024, 5, 1, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2))
    )


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"content_type=a/b\n", "sha256 missing or invalid"),
        (f"sha256={SHA.upper()}\ncontent_type=a/b\n".encode(), "sha256 missing or invalid"),
        (f"sha256={SHA}\n".encode(), "content_type missing"),
        (f"sha256={SHA}\ncontent_type=\n".encode(), "content_type missing"),
        (f"sha256={SHA}\ncontent_type=a/b\ncreated_at=yesterday\n".encode(), "not an ISO-8601"),
        (
            f"sha256={SHA}\ncontent_type=a/b\ncreated_at=2024-01-01T00:00:00\n".encode(),
            "no time zone",
        ),
    ],
)
def test_problems(raw: bytes, problem: str) -> None:
    result = parse_meta(raw)
    assert isinstance(result, str)
    assert problem in result


@pytest.mark.parametrize(
    "value",
    [
        "text/plain",
        "application/octet-stream",
        "text/plain; charset=utf-8",
        'a/b;x="y z"',
        "x-a+b/c.d",
    ],
)
def test_valid_content_types(value: str) -> None:
    assert is_content_type(value)


@pytest.mark.parametrize(
    "value",
    ["", "text", "text/", "/plain", "text/plain\r\nX: y", "té/xt", "a/b; \x00", "a/" + "b" * 300],
)
def test_invalid_content_types(value: str) -> None:
    assert not is_content_type(value)
