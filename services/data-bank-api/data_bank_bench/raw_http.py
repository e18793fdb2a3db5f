"""A lean HTTP/1.1 client on asyncio streams, so the benchmark measures the server.

Requests are written by hand; a large upload's content goes out with `loop.sendfile`
and a large download is read and counted, never kept, so the client costs little CPU
on the machine it shares with the server.
"""

import asyncio
import os
from dataclasses import dataclass
from types import TracebackType

READ_BYTES = 1024 * 1024
BOUNDARY = "databank-bench-boundary"


class HttpError(Exception):
    """The server answered something the benchmark did not expect."""


@dataclass(frozen=True, slots=True)
class Head:
    """A response's status and headers (names in lower case)."""

    status: int
    headers: dict[str, str]

    @property
    def length(self) -> int:
        """The declared `Content-Length` (0 when absent)."""
        return int(self.headers.get("content-length", "0"))


def multipart_parts(content_type: str = "application/octet-stream") -> tuple[bytes, bytes]:
    """The bytes before and after the file in a one-part form body."""
    before = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="bench"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    after = f"\r\n--{BOUNDARY}--\r\n".encode()
    return before, after


def request_head(method: str, target: str, headers: dict[str, str]) -> bytes:
    """The request line and headers."""
    lines = [
        f"{method} {target} HTTP/1.1",
        "Host: bench",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Connection:
    """One keep-alive connection; requests go one after another."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> "Connection":
        """Connect to `host:port`."""
        reader, writer = await asyncio.open_connection(host, port, limit=READ_BYTES * 2)
        return cls(reader, writer)

    async def __aenter__(self) -> "Connection":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._writer.close()
        await self._writer.wait_closed()

    async def read_head(self) -> Head:
        """Read a response's status line and headers."""
        raw = await self._reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        return Head(status, headers)

    async def read_body(self, head: Head) -> bytes:
        """Read a (small) response body."""
        return await self._reader.readexactly(head.length)

    async def discard_body(self, head: Head) -> int:
        """Read and drop a (large) response body; the bytes read."""
        left = head.length
        while left:
            data = await self._reader.read(min(left, READ_BYTES))
            if not data:
                raise HttpError(f"the connection closed with {left} bytes of the body unread")
            left -= len(data)
        return head.length

    async def send(self, data: bytes) -> None:
        """Write bytes and wait until they are handed to the kernel."""
        self._writer.write(data)
        await self._writer.drain()

    async def send_file(self, fd: int, size: int) -> None:
        """Send `size` bytes of the open file `fd` with `sendfile` (zero-copy)."""
        await self._writer.drain()
        with os.fdopen(os.dup(fd), "rb") as file:
            await asyncio.get_running_loop().sendfile(self._writer.transport, file, 0, size)

    async def call(
        self, method: str, target: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[Head, bytes]:
        """A small request and its whole response."""
        sent = dict(headers)
        if body or method == "POST":
            sent["Content-Length"] = str(len(body))
        await self.send(request_head(method, target, sent) + body)
        head = await self.read_head()
        return head, await self.read_body(head)
