"""Plain text from a WebVTT or SRT subtitle file.

A cue is a timing line (`start --> end [settings]`, with `HH:MM:SS.mmm`,
`HH:MM:SS,mmm` or `MM:SS.mmm` times) followed by its text lines up to a blank line.
Everything outside cues is skipped: the `WEBVTT` header, `NOTE` and `STYLE` blocks, cue
ids and SRT's counters. A cue's lines are joined with spaces, markup tags (`<v Bob>`,
`<c.x>`, `<b>`, `<00:00:01.000>`, `<font ...>`) are removed and character references
(`&amp;`) decoded; empty cues are dropped. A timing line with a malformed time is a
`SubtitleFormatError`.
"""

import html
import re

_TIME = re.compile(r"(?:(\d+):)?([0-5]\d):([0-5]\d)[.,](\d{3})", re.ASCII)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_ARROW = "-->"


class SubtitleFormatError(ValueError):
    """The subtitle file is not valid WebVTT/SRT (`message` says where)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_timestamp(text: str) -> float:
    """Seconds of `HH:MM:SS.mmm`, `HH:MM:SS,mmm` or `MM:SS.mmm`."""
    match = _TIME.fullmatch(text)
    if match is None:
        raise SubtitleFormatError(f"invalid subtitle timestamp {text!r}")
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _is_timing(line: str) -> bool:
    return _ARROW in line


def _check_timing(line: str, number: int) -> None:
    start, _, rest = line.partition(_ARROW)
    end = rest.strip().split(maxsplit=1)[0] if rest.strip() else ""
    try:
        parse_timestamp(start.strip())
        parse_timestamp(end)
    except SubtitleFormatError as exc:
        raise SubtitleFormatError(f"line {number}: {exc.message}") from None


def _cue_text(lines: list[str]) -> str:
    text = " ".join(_TAG.sub("", line) for line in lines)
    return _SPACE.sub(" ", html.unescape(text)).strip()


def subtitle_cues(content: str) -> list[str]:
    """The text of each non-empty cue, in file order."""
    cues: list[str] = []
    current: list[str] | None = None
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.strip()
        if current is None:
            if _is_timing(line):
                _check_timing(line, number)
                current = []
            continue
        if line:
            current.append(line)
            continue
        cues.append(_cue_text(current))
        current = None
    if current is not None:
        cues.append(_cue_text(current))
    return [cue for cue in cues if cue]


def subtitle_text(content: str) -> str:
    """The cues' texts joined with single spaces."""
    return " ".join(subtitle_cues(content))
