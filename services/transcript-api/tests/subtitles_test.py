"""WebVTT and SRT to plain text."""

import pytest

from transcript_api.subtitles import (
    SubtitleFormatError,
    parse_timestamp,
    subtitle_cues,
    subtitle_text,
)

VTT = """\ufeffWEBVTT
Kind: captions
Language: en

NOTE this is a comment
that spans lines

STYLE
::cue { color: red }

1
00:00:00.000 --> 00:00:01.500 align:start position:0%
<v Bob>Hello</v> <c.colorE5E5E5>there</c>,
<b>friend</b> &amp; <i>you</i>

intro
00:01.500 --> 00:03.000
<00:00:01.600><c> timed</c><00:00:02.000><c> words</c>

00:00:03.000 --> 00:00:04.000
\x20\x20

00:00:04.000 --> 00:00:05.000
last line"""

SRT = """1
00:00:00,000 --> 00:00:01,000
First <font color="#fff">line</font>

2
00:00:01,000 --> 00:00:02,000
Second
line
"""


def test_vtt_cues_skip_headers_notes_styles_and_ids() -> None:
    assert subtitle_cues(VTT) == ["Hello there, friend & you", "timed words", "last line"]


def test_srt_cues() -> None:
    assert subtitle_text(SRT) == "First line Second line"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("01:02:03.456", 3723.456), ("00:00:01,250", 1.25), ("02:03.000", 123.0)],
)
def test_timestamps(text: str, seconds: float) -> None:
    assert parse_timestamp(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "timing", ["00:00:00.000 --> 00:61:00.000", "00:00.0 --> 00:01.000", "00:00:00.000 -->"]
)
def test_a_bad_timing_line_is_a_format_error(timing: str) -> None:
    with pytest.raises(SubtitleFormatError, match="line 3: invalid subtitle timestamp"):
        subtitle_text(f"WEBVTT\n\n{timing}\nText\n")


def test_no_cues_is_empty_text() -> None:
    assert subtitle_text("WEBVTT\n\nNOTE nothing here\n") == ""
