"""The `Range` request header for one representation of `size` bytes (RFC 9110 §14).

Only the `bytes` unit is understood, and only a single range is served:

- `bytes=a-b` (clamped to the end), `bytes=a-` and the suffix form `bytes=-n` (the last
  `n` bytes, or the whole file when it is shorter) give a `ByteRange` (206);
- a range starting at or past the end, or `bytes=-0`, is `Unsatisfiable` (416 with
  `Content-Range: bytes */size`);
- syntax the grammar does not allow (`bytes=abc-`, `bytes=5-2`, `bytes=`) is
  `InvalidRange` (rejected with 416, as RFC 9110 §14.2 allows);
- an unknown unit, more than one range, or a suffix range of a zero-byte file is
  `WholeFile`: the header is ignored and the whole file is sent with 200, which RFC 9110
  always permits ("a server MAY ignore the Range header field"). Multiple ranges are
  never answered with `multipart/byteranges`.
"""

import re
from dataclasses import dataclass

_DIGITS = re.compile(r"[0-9]+")
# Positions longer than this are past any file we can store; they are compared as this cap
# (Python refuses to parse integers of thousands of digits, and they mean "huge" anyway).
_MAX_DIGITS = 19
_HUGE = 10_000_000_000_000_000_000


@dataclass(frozen=True, slots=True)
class WholeFile:
    """Send the whole representation (no `Range`, or one that is ignored)."""


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Send bytes `start..end` (both inclusive) with 206."""

    start: int
    end: int

    @property
    def length(self) -> int:
        """How many bytes the range holds."""
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        """The `Content-Range` value: `bytes start-end/size`."""
        return f"bytes {self.start}-{self.end}/{size}"


@dataclass(frozen=True, slots=True)
class Unsatisfiable:
    """No byte of the range lies inside the representation: 416 `bytes */size`."""


@dataclass(frozen=True, slots=True)
class InvalidRange:
    """A `bytes` range the grammar does not allow: rejected with 416."""


RangeDecision = WholeFile | ByteRange | Unsatisfiable | InvalidRange

WHOLE_FILE = WholeFile()
UNSATISFIABLE = Unsatisfiable()
INVALID_RANGE = InvalidRange()


def unsatisfied_content_range(size: int) -> str:
    """The `Content-Range` value of a 416: `bytes */size`."""
    return f"bytes */{size}"


def _position(text: str) -> int | None:
    if _DIGITS.fullmatch(text) is None:
        return None
    if len(text) > _MAX_DIGITS:
        return _HUGE
    return int(text)


def _suffix(length_text: str, size: int) -> RangeDecision:
    length = _position(length_text)
    if length is None:
        return INVALID_RANGE
    if length == 0:
        return UNSATISFIABLE
    if size == 0:
        return WHOLE_FILE
    return ByteRange(max(0, size - length), size - 1)


def _from(first_text: str, last_text: str, size: int) -> RangeDecision:
    first = _position(first_text)
    last = _position(last_text) if last_text else None
    if first is None or (last_text and (last is None or last < first)):
        return INVALID_RANGE
    if first >= size:
        return UNSATISFIABLE
    return ByteRange(first, size - 1 if last is None else min(last, size - 1))


def _one(spec: str, size: int) -> RangeDecision:
    first_text, dash, last_text = spec.partition("-")
    if not dash:
        return INVALID_RANGE
    if not first_text:
        return _suffix(last_text, size)
    return _from(first_text, last_text, size)


def parse_range(header: str | None, size: int) -> RangeDecision:
    """What to send for the `Range` header `header` of a GET on `size` bytes."""
    if header is None:
        return WHOLE_FILE
    unit, equals, range_set = header.partition("=")
    if equals and unit.lower() != "bytes":
        return WHOLE_FILE
    specs = [item.strip(" \t") for item in range_set.split(",")]
    decisions = [_one(spec, size) for spec in specs if spec]
    if not equals or not decisions or any(isinstance(d, InvalidRange) for d in decisions):
        return INVALID_RANGE
    return decisions[0] if len(decisions) == 1 else WHOLE_FILE
