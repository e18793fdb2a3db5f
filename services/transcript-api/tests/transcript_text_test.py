"""Merging chunk transcripts and cleaning the text."""

from transcript_api.transcript_text import clean_text, merge
from transcript_api.whisper import Segment, Transcript


def test_merge_offsets_each_chunk_and_sorts() -> None:
    first = Transcript((Segment(0.0, 2.0, "a"), Segment(3.0, 4.0, "b")))
    second = Transcript((Segment(-0.5, 1.0, "c"), Segment(0.0, 1.0, "d")))
    merged = merge([(10.0, second), (0.0, first)])
    assert [(s.start, s.end, s.text) for s in merged] == [
        (0.0, 2.0, "a"),
        (3.0, 4.0, "b"),
        (9.5, 11.0, "c"),
        (10.0, 11.0, "d"),
    ]


def test_merge_clamps_at_zero() -> None:
    (segment,) = merge([(0.0, Transcript((Segment(-1.0, -0.5, "x"),)))])
    assert (segment.start, segment.end) == (0.0, 0.0)


def test_clean_text() -> None:
    segments = [
        Segment(0, 1, "Hello 00:01:02 world"),
        Segment(1, 2, "   "),
        Segment(2, 3, "No text"),
        Segment(3, 4, "at 1:02:03.456\nnow"),
    ]
    assert clean_text(segments) == "Hello world at now"


def test_clean_text_of_nothing() -> None:
    assert clean_text([]) == ""
