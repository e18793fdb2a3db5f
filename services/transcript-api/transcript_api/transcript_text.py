"""From per-chunk transcripts to the final text.

`merge`: each chunk's segments shifted by the chunk's start in the whole audio (clamped
at 0), sorted by start. `clean_text`: the non-blank segment texts joined with spaces,
timestamp tokens (`1:02:03`, `01:02:03.456`) and the literal `No text` removed,
whitespace collapsed and trimmed, as the original did.
"""

import re
from collections.abc import Iterable, Sequence

from transcript_api.whisper import Segment, Transcript

_TIMESTAMP = re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:\.\d{1,3})?\b")
_NO_TEXT = "No text"
_SPACE = re.compile(r"\s+")


def _start(segment: Segment) -> float:
    return segment.start


def merge(parts: Sequence[tuple[float, Transcript]]) -> list[Segment]:
    """The segments of `(chunk start, transcript)` pairs on the whole audio's timeline."""
    shifted = [
        Segment(
            start=max(0.0, offset + segment.start),
            end=max(0.0, offset + segment.end),
            text=segment.text,
        )
        for offset, transcript in parts
        for segment in transcript.segments
    ]
    return sorted(shifted, key=_start)


def clean_text(segments: Iterable[Segment]) -> str:
    """The transcript text of `segments`, cleaned."""
    joined = " ".join(segment.text for segment in segments if segment.text.strip())
    without_times = _TIMESTAMP.sub(" ", joined).replace(_NO_TEXT, " ")
    return _SPACE.sub(" ", without_times).strip()
