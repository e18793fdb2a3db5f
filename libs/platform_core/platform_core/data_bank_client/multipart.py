"""The `multipart/form-data` framing of a streamed upload (one part named `file`)."""

import uuid
from dataclasses import dataclass, field

FILE_FIELD = "file"
_FORBIDDEN_IN_HEADERS = ('"', "\r", "\n")


@dataclass(frozen=True, slots=True)
class FilePart:
    """The bytes around a file's content: `head + content + tail` is the whole body."""

    filename: str
    content_type: str
    boundary: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        for name, value in (("filename", self.filename), ("content type", self.content_type)):
            if any(bad in value for bad in _FORBIDDEN_IN_HEADERS):
                raise ValueError(f"the upload's {name} must not contain quotes or line breaks")

    @property
    def head(self) -> bytes:
        """The boundary and part headers before the content."""
        return (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{FILE_FIELD}"; filename="{self.filename}"\r\n'
            f"Content-Type: {self.content_type}\r\n\r\n"
        ).encode()

    @property
    def tail(self) -> bytes:
        """The closing boundary after the content."""
        return f"\r\n--{self.boundary}--\r\n".encode()

    @property
    def body_content_type(self) -> str:
        """The request's `Content-Type`."""
        return f"multipart/form-data; boundary={self.boundary}"

    def body_length(self, content_size: int) -> int:
        """The request body's length for content of `content_size` bytes."""
        return len(self.head) + content_size + len(self.tail)
