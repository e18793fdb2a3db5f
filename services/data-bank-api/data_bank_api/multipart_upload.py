"""Streaming a `multipart/form-data` upload into the store, part by part, in flat memory.

The body must hold exactly one part named `file`; its `Content-Type` (default
`application/octet-stream`) becomes the stored content type and its filename is
ignored. Other form fields are read past and discarded. The file part's bytes go
straight to `Upload.write` as they arrive; nothing is buffered beyond one network
chunk. Problems with the body are `UploadRejectedError` (a 4xx for the client).
"""

from collections.abc import AsyncIterable
from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from data_bank_api.engine import Committed
from data_bank_api.metadata import is_content_type
from data_bank_api.storage import Upload

FILE_FIELD = "file"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
MULTIPART_FORM_DATA = "multipart/form-data"


class UploadRejectedError(Exception):
    """The body is not an acceptable upload; `status` is 400 or 415."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def boundary_of(content_type: str | None) -> bytes:
    """The multipart boundary of a `Content-Type` header, checking it is form data."""
    media_type, params = parse_options_header(content_type)
    if media_type.decode("latin-1").lower() != MULTIPART_FORM_DATA:
        raise UploadRejectedError(f"expected Content-Type {MULTIPART_FORM_DATA}", 415)
    boundary = params.get(b"boundary", b"")
    if not boundary:
        raise UploadRejectedError("the multipart/form-data Content-Type has no boundary")
    return boundary


@dataclass(slots=True)
class _Part:
    headers: dict[str, str] = field(default_factory=dict)
    field_name: bytes = b""
    value: bytes = b""


@dataclass(slots=True)
class _Events:
    """What the parser reported for one chunk, in order (callbacks cannot await)."""

    items: list[dict[str, str] | memoryview | None] = field(default_factory=list)
    """A part's headers (complete), a piece of its data, or None at its end."""
    part: _Part = field(default_factory=_Part)
    ended: bool = False

    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.part.field_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.part.value += data[start:end]

    def on_header_end(self) -> None:
        name = self.part.field_name.decode("latin-1").strip().lower()
        self.part.headers[name] = self.part.value.decode("latin-1").strip()
        self.part.field_name = b""
        self.part.value = b""

    def on_headers_finished(self) -> None:
        self.items.append(self.part.headers)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        # A view, not a copy: `data` is the chunk just written, kept alive by the view.
        self.items.append(memoryview(data)[start:end])

    def on_part_end(self) -> None:
        self.items.append(None)

    def on_end(self) -> None:
        self.ended = True


def _field_name(headers: dict[str, str]) -> str:
    disposition, params = parse_options_header(headers.get("content-disposition"))
    if disposition.decode("latin-1").lower() != "form-data":
        raise UploadRejectedError("a multipart part without Content-Disposition: form-data")
    return params.get(b"name", b"").decode("utf-8", "replace")


def _content_type(headers: dict[str, str]) -> str:
    value = headers.get("content-type", DEFAULT_CONTENT_TYPE)
    if not is_content_type(value):
        raise UploadRejectedError("invalid Content-Type of the file part")
    return value


class _Receiver:
    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self.content_type: str | None = None
        self.in_file = False
        self.file_done = False

    async def handle(self, events: _Events) -> None:
        items, events.items = events.items, []
        for item in items:
            if isinstance(item, dict):
                self._begin(item)
            elif isinstance(item, memoryview):
                if self.in_file:
                    await self.upload.write(item)
            else:
                self.file_done = self.file_done or self.in_file
                self.in_file = False

    def _begin(self, headers: dict[str, str]) -> None:
        if _field_name(headers) != FILE_FIELD:
            return
        if self.content_type is not None:
            raise UploadRejectedError("more than one file part")
        self.content_type = _content_type(headers)
        self.in_file = True


async def receive_multipart(
    body: AsyncIterable[bytes], boundary: bytes, upload: Upload
) -> Committed:
    """Parse `body`, write the `file` part to `upload` and commit it.

    The part's data reaches `upload` as views of the body's chunks (no copy): they are
    `bytes`, immutable, and kept alive by the views until written.
    """
    events = _Events()
    receiver = _Receiver(upload)
    try:
        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": events.on_part_begin,
                "on_header_field": events.on_header_field,
                "on_header_value": events.on_header_value,
                "on_header_end": events.on_header_end,
                "on_headers_finished": events.on_headers_finished,
                "on_part_data": events.on_part_data,
                "on_part_end": events.on_part_end,
                "on_end": events.on_end,
            },
        )
        async for chunk in body:
            parser.write(chunk)
            await receiver.handle(events)
        parser.finalize()
    except FormParserError as exc:
        raise UploadRejectedError(f"malformed multipart body: {exc}") from None
    await receiver.handle(events)
    if not events.ended:
        raise UploadRejectedError("the multipart body ended before its closing boundary")
    if receiver.content_type is None or not receiver.file_done:
        raise UploadRejectedError("missing file part")
    return await upload.commit(receiver.content_type)
