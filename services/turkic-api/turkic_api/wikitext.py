"""A Wikipedia dump as sentences, fed chunk by chunk: bz2 and XML both incremental.

`DumpReader.feed(chunk)` takes the next bytes of a `.xml.bz2` dump (multistream dumps
are several bz2 streams one after another) and returns the sentences of every page
text completed so far; memory stays bounded by one chunk and one page, whatever the
dump's size. Synchronous and CPU-bound: the caller runs it in a thread.

Text cleaning (the original's, plus the commonest wiki markup): templates `{{...}}`
and references `<ref>...</ref>` dropped, links `[[target|label]]` -> label, tags and
bold/italic quotes removed, HTML entities decoded; then split on `.`, `!` and `?`.
"""

import bz2
import html
import re
from xml.parsers.expat import ExpatError, ParserCreate

_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_REF = re.compile(r"<ref[^>/]*>.*?</ref>|<ref[^>]*/>", re.DOTALL)
_LINK = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")
_TAG = re.compile(r"<[^>]+>")
_QUOTES = re.compile(r"'{2,}")
_SPLIT = re.compile(r"[.!?]")
_SPACE = re.compile(r"\s+")


class DumpFormatError(ValueError):
    """The bytes are not a bz2-compressed MediaWiki XML dump (or it ended early)."""


def clean_wikitext(text: str) -> str:
    """Wiki markup removed (see the module docstring)."""
    for _ in range(3):  # nested templates, innermost first
        text = _TEMPLATE.sub(" ", text)
    text = _REF.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    text = _QUOTES.sub("", text)
    return html.unescape(text)


def split_sentences(text: str) -> list[str]:
    """Non-empty pieces between `.`, `!` and `?`, whitespace collapsed."""
    pieces = (_SPACE.sub(" ", piece).strip() for piece in _SPLIT.split(text))
    return [piece for piece in pieces if piece]


class DumpReader:
    """Incremental bz2 + XML (expat) parsing of a dump (see the module docstring)."""

    def __init__(self) -> None:
        self._bz2 = bz2.BZ2Decompressor()
        self._xml = ParserCreate()
        self._xml.StartElementHandler = self._start
        self._xml.EndElementHandler = self._end
        self._xml.CharacterDataHandler = self._data
        self._in_text = False
        self._text: list[str] = []
        self._sentences: list[str] = []
        self._fed = False

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "text":
            self._in_text = True
            self._text = []

    def _end(self, name: str) -> None:
        if name == "text":
            self._in_text = False
            self._sentences.extend(split_sentences(clean_wikitext("".join(self._text))))
            self._text = []

    def _data(self, data: str) -> None:
        if self._in_text:
            self._text.append(data)

    def _decompress(self, data: bytes) -> bytes:
        out: list[bytes] = []
        while data:
            if self._bz2.eof:
                # The next stream of a multistream dump.
                self._bz2 = bz2.BZ2Decompressor()
            try:
                out.append(self._bz2.decompress(data))
            except OSError as exc:
                raise DumpFormatError(f"not bz2 data: {exc}") from exc
            data = self._bz2.unused_data
        return b"".join(out)

    def _parse(self, data: bytes, *, final: bool) -> list[str]:
        try:
            self._xml.Parse(data, final)
        except ExpatError as exc:
            raise DumpFormatError(f"malformed dump XML: {exc}") from exc
        sentences, self._sentences = self._sentences, []
        return sentences

    def feed(self, chunk: bytes) -> list[str]:
        """The sentences of the page texts that `chunk` completes."""
        self._fed = self._fed or bool(chunk)
        return self._parse(self._decompress(chunk), final=False)

    def close(self) -> None:
        """Check the dump is complete (expat has given every text by then); raises
        `DumpFormatError` if it ended early."""
        if not self._fed or not self._bz2.eof:
            raise DumpFormatError("the dump ended before its bz2 stream did")
        self._parse(b"", final=True)
