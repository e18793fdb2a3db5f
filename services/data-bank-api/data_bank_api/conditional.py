"""Validators and conditional requests (RFC 9110 §8.8 and §13) for immutable stored files.

A stored file never changes under its id, so both validators are strong: the `ETag` is
the quoted SHA-256 and `Last-Modified` is the time of the first upload, to the second.

- `If-None-Match` (weak comparison, `*` matches any stored file) on GET/HEAD gives 304.
- `If-Modified-Since` is only evaluated without `If-None-Match`: a file not modified since
  the given date gives 304. An invalid date is ignored, as the RFC requires.
- `If-Range` (GET with `Range` only) keeps the range when it names our strong ETag or our
  exact `Last-Modified`; anything else sends the whole file.

A malformed `If-None-Match` is ignored, as if it were absent.
`If-Match` and `If-Unmodified-Since` are not supported and are ignored.
"""

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
_TIME = r"(?P<hour>[0-9][0-9]):(?P<minute>[0-9][0-9]):(?P<second>[0-9][0-9])"
_MONTH = r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_WEEKDAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_IMF_FIXDATE = re.compile(
    rf"{_WEEKDAY}, (?P<day>[0-9][0-9]) {_MONTH} (?P<year>[0-9]{{4}}) {_TIME} GMT"
)
_RFC850 = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
    rf"(?P<day>[0-9][0-9])-{_MONTH}-(?P<year>[0-9][0-9]) {_TIME} GMT"
)
_ASCTIME = re.compile(rf"{_WEEKDAY} {_MONTH} (?P<day>[ 0-9][0-9]) {_TIME} (?P<year>[0-9]{{4}})")
_ENTITY_TAG = re.compile(r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"')


def strong_etag(sha256: str) -> str:
    """The `ETag` of a stored file: its SHA-256 hex in double quotes."""
    return f'"{sha256}"'


def http_date(moment: datetime) -> str:
    """`moment` as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), to the second."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def parse_http_date(text: str, *, this_year: int | None = None) -> datetime | None:
    """An HTTP-date in any of the three formats RFC 9110 §5.6.7 accepts, or None.

    `this_year` (default: the current year) resolves the two-digit years of RFC 850 dates.
    """
    value = text.strip()
    for pattern in (_IMF_FIXDATE, _RFC850, _ASCTIME):
        found = pattern.fullmatch(value)
        if found is None:
            continue
        year = int(found["year"])
        if pattern is _RFC850:
            # Two-digit years: the RFC's 50-year rule, relative to today.
            now = datetime.now(UTC).year if this_year is None else this_year
            year += now - now % 100
            if year > now + 50:
                year -= 100
        month = _MONTHS[found["month"]]
        day = int(found["day"])
        hour, minute, second = int(found["hour"]), int(found["minute"]), int(found["second"])
        if year < 1 or not 1 <= day <= monthrange(year, month)[1]:
            return None
        if hour > 23 or minute > 59 or second > 59:
            return None
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return None


@dataclass(frozen=True, slots=True)
class EntityTags:
    """A parsed `If-None-Match`/`If-Match` value: `*` or a list of opaque tags."""

    any: bool
    tags: tuple[tuple[bool, str], ...]
    """(weak, opaque-tag) pairs."""


def parse_entity_tags(value: str) -> EntityTags | None:
    """`*` or a comma-separated list of entity tags; None when the value is malformed."""
    text = value.strip()
    if text == "*":
        return EntityTags(any=True, tags=())
    tags: list[tuple[bool, str]] = []
    position = 0
    while position < len(text):
        if text[position] in " \t,":
            position += 1
            continue
        found = _ENTITY_TAG.match(text, position)
        if found is None:
            return None
        weak: str | None = found.group(1)
        opaque: str = found.group(2)
        tags.append((weak is not None, opaque))
        position = found.end()
    if not tags:
        return None
    return EntityTags(any=False, tags=tuple(tags))


def not_modified_since(if_modified_since: str, last_modified: datetime | None) -> bool:
    """Whether the file is unchanged since `If-Modified-Since` (an invalid date: False)."""
    since = parse_http_date(if_modified_since)
    if since is None or last_modified is None:
        return False
    return last_modified.replace(microsecond=0) <= since


def range_still_valid(if_range: str, sha256: str, last_modified: datetime | None) -> bool:
    """Whether `If-Range` lets the `Range` apply: our strong ETag, or our exact date."""
    value = if_range.strip()
    tag = _ENTITY_TAG.fullmatch(value)
    if tag is not None:
        weak: str | None = tag.group(1)
        opaque: str = tag.group(2)
        return weak is None and opaque == sha256
    since = parse_http_date(value)
    if since is None or last_modified is None:
        return False
    return int(since.timestamp()) == int(last_modified.timestamp())


def is_not_modified(
    *,
    if_none_match: str | None,
    if_modified_since: str | None,
    sha256: str,
    last_modified: datetime | None,
) -> bool:
    """The GET/HEAD precondition outcome (RFC 9110 §13.2.2 steps 3 and 4): True means 304."""
    tags = None if if_none_match is None else parse_entity_tags(if_none_match)
    if tags is not None:
        # Weak comparison: W/"x" and "x" both name this file.
        return tags.any or any(opaque == sha256 for _, opaque in tags.tags)
    if if_modified_since is not None:
        return not_modified_since(if_modified_since, last_modified)
    return False
