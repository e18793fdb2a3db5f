"""A `multipart/form-data` body parsed into its parts (bodies are small: an image or a
model, bounded by the route's byte limit)."""

from collections.abc import AsyncIterable
from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from handwriting_ai.errors import malformed

MULTIPART_FORM_DATA = "multipart/form-data"


@dataclass(slots=True)
class Part:
    """One part: its field name, filename (None for a plain field), type and bytes."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytearray = field(default_factory=bytearray)

    @property
    def text(self) -> str:
        """The value of a plain field."""
        return self.data.decode("utf-8", "replace")


@dataclass(slots=True)
class _Collector:
    parts: list[Part] = field(default_factory=list)
    header_name: bytes = b""
    header_value: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def on_part_begin(self) -> None:
        self.headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        name = self.header_name.decode("latin-1").strip().lower()
        self.headers[name] = self.header_value.decode("latin-1").strip()
        self.header_name = b""
        self.header_value = b""

    def on_headers_finished(self) -> None:
        disposition, params = parse_options_header(self.headers.get("content-disposition"))
        if disposition.decode("latin-1").lower() != "form-data":
            raise malformed("a multipart part without Content-Disposition: form-data")
        filename = params.get(b"filename")
        content_type = self.headers.get("content-type")
        self.parts.append(
            Part(
                name=params.get(b"name", b"").decode("utf-8", "replace"),
                filename=None if filename is None else filename.decode("utf-8", "replace"),
                content_type=None if content_type is None else content_type.lower(),
            )
        )

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self.parts[-1].data += data[start:end]


async def read_form(content_type: str | None, body: AsyncIterable[bytes]) -> list[Part]:
    """The parts of a multipart body, in order (`malformed_multipart` 400 when it is not
    one)."""
    media_type, params = parse_options_header(content_type)
    boundary = params.get(b"boundary", b"")
    if media_type.decode("latin-1").lower() != MULTIPART_FORM_DATA or not boundary:
        raise malformed("Expected a multipart/form-data body")
    collector = _Collector()
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": collector.on_part_begin,
            "on_header_field": collector.on_header_field,
            "on_header_value": collector.on_header_value,
            "on_header_end": collector.on_header_end,
            "on_headers_finished": collector.on_headers_finished,
            "on_part_data": collector.on_part_data,
        },
    )
    try:
        async for chunk in body:
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        raise malformed(f"Malformed multipart body: {exc}") from None
    return collector.parts
