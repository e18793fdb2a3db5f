"""Incremental dump parsing: bz2 (multistream too) and XML fed in small pieces."""

import bz2

import pytest

from turkic_api.wikitext import DumpFormatError, DumpReader, clean_wikitext, split_sentences
from turkic_api_testing.dumps import make_dump

PAGES = [
    ("Kitap", "'''Kitap''' okuyorum. Bu [[kitap|güzel kitap]] mı? {{Bilgi kutusu|x={{y}}}}Evet!"),
    ("Boş", ""),
    ("Ref", "Bir cümle<ref>kaynak</ref> daha. Son &amp; cümle<br/>burada."),
]
EXPECTED = [
    "Kitap okuyorum",
    "Bu güzel kitap mı",
    "Evet",
    "Bir cümle daha",
    "Son & cümle burada",
]


def read_in_pieces(data: bytes, size: int) -> list[str]:
    reader = DumpReader()
    sentences: list[str] = []
    for start in range(0, len(data), size):
        sentences += reader.feed(data[start : start + size])
    reader.close()
    return sentences


@pytest.mark.parametrize("streams", [1, 3])
@pytest.mark.parametrize("size", [7, 100_000])
def test_sentences_come_out_whatever_the_chunking(streams: int, size: int) -> None:
    assert read_in_pieces(make_dump(PAGES, streams=streams), size) == EXPECTED


def test_markup_is_cleaned_and_text_split() -> None:
    assert clean_wikitext("[[a]] ''b'' <i>c</i>") == "a b  c "
    assert split_sentences("  one.two!  three?\n ") == ["one", "two", "three"]


def test_bad_bytes_and_early_ends_raise() -> None:
    with pytest.raises(DumpFormatError, match="not bz2 data"):
        DumpReader().feed(b"plain text, not bz2")
    with pytest.raises(DumpFormatError, match="ended before"):
        DumpReader().close()
    data = make_dump(PAGES)
    truncated = DumpReader()
    truncated.feed(data[: len(data) // 2])
    with pytest.raises(DumpFormatError, match="ended before"):
        truncated.close()


def test_malformed_xml_raises() -> None:
    with pytest.raises(DumpFormatError, match="malformed dump XML"):
        DumpReader().feed(bz2.compress(b"<a><b></a>"))
    unclosed = DumpReader()
    unclosed.feed(bz2.compress(b"<mediawiki><page>"))
    with pytest.raises(DumpFormatError, match="malformed dump XML"):
        unclosed.close()
