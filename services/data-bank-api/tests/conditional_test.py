"""Validators and conditional requests (RFC 9110 §8.8, §13)."""

from datetime import UTC, datetime

import pytest

from data_bank_api.conditional import (
    EntityTags,
    http_date,
    is_not_modified,
    parse_entity_tags,
    parse_http_date,
    range_still_valid,
    strong_etag,
)

SHA = "ab" * 32
CREATED = datetime(1994, 11, 6, 8, 49, 37, 123456, tzinfo=UTC)
LAST_MODIFIED = "Sun, 06 Nov 1994 08:49:37 GMT"


def test_strong_etag_is_the_quoted_hash() -> None:
    assert strong_etag(SHA) == f'"{SHA}"'


def test_http_date_is_an_imf_fixdate_to_the_second() -> None:
    assert http_date(CREATED) == LAST_MODIFIED


@pytest.mark.parametrize(
    "text",
    [
        LAST_MODIFIED,
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        f"  {LAST_MODIFIED} ",
    ],
)
def test_the_three_http_date_formats(text: str) -> None:
    assert parse_http_date(text, this_year=2026) == datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)


def test_rfc850_years_more_than_50_years_ahead_are_in_the_past() -> None:
    parsed = parse_http_date("Thursday, 06-Nov-30 08:49:37 GMT", this_year=2026)
    assert parsed is not None
    assert parsed.year == 2030


def test_rfc850_default_year_is_now() -> None:
    parsed = parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT")
    assert parsed is not None
    assert parsed.year % 100 == 94


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 0000 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:60 GMT",
        "Sun, \u0660\u0666 Nov 1994 08:49:37 GMT",
    ],
)
def test_invalid_http_dates(text: str) -> None:
    assert parse_http_date(text) is None


def test_entity_tag_lists() -> None:
    assert parse_entity_tags("*") == EntityTags(any=True, tags=())
    assert parse_entity_tags(' "a", W/"b" ,,"" ') == EntityTags(
        any=False, tags=((False, "a"), (True, "b"), (False, ""))
    )


@pytest.mark.parametrize("value", ["", " , ", "a", '"a', '"a" b', "W/a", '"a",*'])
def test_malformed_entity_tag_lists(value: str) -> None:
    assert parse_entity_tags(value) is None


def _not_modified(
    inm: str | None, ims: str | None, last_modified: datetime | None = CREATED
) -> bool:
    return is_not_modified(
        if_none_match=inm, if_modified_since=ims, sha256=SHA, last_modified=last_modified
    )


def test_if_none_match_uses_weak_comparison() -> None:
    assert _not_modified(f'"{SHA}"', None)
    assert _not_modified(f'W/"{SHA}"', None)
    assert _not_modified(f'"other", "{SHA}"', None)
    assert _not_modified("*", None)
    assert not _not_modified('"other"', None)


def test_if_none_match_wins_over_if_modified_since() -> None:
    assert not _not_modified('"other"', LAST_MODIFIED)


def test_a_malformed_if_none_match_is_ignored() -> None:
    assert not _not_modified("garbage", None)
    assert _not_modified("garbage", LAST_MODIFIED)


def test_if_modified_since() -> None:
    assert _not_modified(None, LAST_MODIFIED)
    assert _not_modified(None, "Mon, 07 Nov 1994 00:00:00 GMT")
    assert not _not_modified(None, "Sun, 06 Nov 1994 08:49:36 GMT")
    assert not _not_modified(None, "not a date")
    assert not _not_modified(None, LAST_MODIFIED, last_modified=None)
    assert not _not_modified(None, None)


def test_if_range_with_an_entity_tag_needs_our_strong_etag() -> None:
    assert range_still_valid(f'"{SHA}"', SHA, CREATED)
    assert not range_still_valid(f'W/"{SHA}"', SHA, CREATED)
    assert not range_still_valid('"other"', SHA, CREATED)


def test_if_range_with_a_date_needs_our_exact_last_modified() -> None:
    assert range_still_valid(LAST_MODIFIED, SHA, CREATED)
    assert not range_still_valid("Mon, 07 Nov 1994 00:00:00 GMT", SHA, CREATED)
    assert not range_still_valid("garbage", SHA, CREATED)
    assert not range_still_valid(LAST_MODIFIED, SHA, None)
