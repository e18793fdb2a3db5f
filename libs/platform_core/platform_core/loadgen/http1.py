"""`Http1Connection`: one lean HTTP/1.1 keep-alive client connection on asyncio streams.

Requests are written by hand and responses parsed with a few bytes operations, so a load
generator's own cost per request stays far below a server's (an h11 client costs about
2.5 times as much CPU per request, httpx more). Requests go one after another; the TCP
connection is opened on the first request (or `connect()`) and opened again for the next
request once the server closed it (Hypercorn closes one after 1000 requests). Response
bodies are framed by `Content-Length`, chunked transfer coding, or the end of the
connection; an informational (1xx) answer is refused (no `Expect` is ever sent).

Large transfers: `send_head` then `send` / `send_file` (zero-copy `sendfile`) for a
request body; `read_head` then `discard_body` to count a response body without keeping it.
"""

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Self

Header = tuple[str, str]

READ_BYTES = 1024 * 1024
BODYLESS_STATUSES = frozenset({204, 304})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class HttpProtocolError(Exception):
    """The server broke HTTP/1.1 or closed the connection mid-response."""


@dataclass(frozen=True, slots=True)
class ResponseHead:
    """A response's status line and headers, and how its body is framed.

    Header names are lower case; repeated headers are joined by `, `. `length` is the
    body's size when known in advance (0 for none); `chunked` bodies come in chunks;
    otherwise (`length` None, not chunked) the body runs until the server closes.
    `close` is true when the connection ends with this response.
    """

    status: int
    headers: dict[str, str]
    length: int | None
    chunked: bool
    close: bool


@dataclass(frozen=True, slots=True)
class Response:
    """A complete response."""

    status: int
    headers: dict[str, str]
    body: bytes


def parse_head(method: str, raw: bytes) -> ResponseHead:
    """The response head `raw` (ending in CRLF CRLF) of a `method` request, and how its
    body is framed (RFC 9112, section 6.3)."""
    status_line, *lines = raw[:-4].decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise HttpProtocolError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
    status = int(code)
    if status < 200:
        raise HttpProtocolError(f"unexpected informational response {status}")
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise HttpProtocolError(f"a header line without a colon: {line[:80]!r}")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    connection = headers.get("connection", "").lower()
    close = "close" in connection or (version == "HTTP/1.0" and "keep-alive" not in connection)
    if method == "HEAD" or status in BODYLESS_STATUSES:
        return ResponseHead(status, headers, 0, chunked=False, close=close)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return ResponseHead(status, headers, None, chunked=True, close=close)
    declared = headers.get("content-length")
    if declared is None:
        return ResponseHead(status, headers, None, chunked=False, close=True)
    if not declared.isdigit():
        raise HttpProtocolError(f"an invalid Content-Length: {declared!r}")
    return ResponseHead(status, headers, int(declared), chunked=False, close=close)


class Http1Connection:
    """Requests to `host:port`, one at a time, over a persistent connection.

    `buffer_bytes` is the stream reader's limit: the most a response head may take,
    and (twice it) how much is read ahead of the consumer.
    """

    def __init__(self, host: str, port: int, *, buffer_bytes: int = 2 * READ_BYTES) -> None:
        self.host = host
        self.port = port
        self._buffer_bytes = buffer_bytes
        self._host_header = f"host: {host}:{port}"
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._method = "GET"
        self._on_error = _DropOnError(self)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def connected(self) -> bool:
        """Whether a TCP connection is open for the next request."""
        return self._streams is not None

    async def connect(self) -> None:
        """Open the TCP connection now (a request opens it when needed)."""
        if self._streams is None:
            self._streams = await asyncio.open_connection(
                self.host, self.port, limit=self._buffer_bytes
            )

    async def close(self) -> None:
        """Close the TCP connection (the next request opens a new one)."""
        if self._streams is not None:
            await self._drop().wait_closed()

    async def request(
        self,
        method: str,
        target: str,
        *,
        headers: Sequence[Header] = (),
        body: bytes = b"",
    ) -> Response:
        """Send one request and read the whole response.

        `Content-Length` is sent for a body, and for every POST, PUT and PATCH.
        """
        length = len(body) if body or method in BODY_METHODS else None
        await self.send_head(method, target, headers=headers, content_length=length, body=body)
        head = await self.read_head()
        return Response(head.status, head.headers, await self.read_body(head))

    async def send_head(
        self,
        method: str,
        target: str,
        *,
        headers: Sequence[Header] = (),
        content_length: int | None = None,
        body: bytes = b"",
    ) -> None:
        """Send the request line and headers (and `body`, the start of the request body).

        The rest of a `content_length` body follows with `send` and `send_file`.
        """
        if self._streams is None:
            await self.connect()
        lines = [f"{method} {target} HTTP/1.1", self._host_header]
        lines += [f"{name}: {value}" for name, value in headers]
        if content_length is not None:
            lines.append(f"content-length: {content_length}")
        self._method = method
        await self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    async def send(self, data: bytes) -> None:
        """Write bytes; wait while the transport holds more than its high-water mark."""
        _, writer = self._open()
        writer.write(data)
        if writer.transport.get_write_buffer_size():
            await writer.drain()

    async def send_file(self, file: IO[bytes], count: int) -> None:
        """Send `count` bytes of `file` from its current position (`sendfile`, zero-copy)."""
        _, writer = self._open()
        await writer.drain()
        loop = asyncio.get_running_loop()
        await loop.sendfile(writer.transport, file, file.tell(), count)

    async def read_head(self) -> ResponseHead:
        """Read the status line and headers of the response to the request sent."""
        reader, _ = self._open()
        with self._on_error:
            return parse_head(self._method, await reader.readuntil(b"\r\n\r\n"))

    async def read_body(self, head: ResponseHead) -> bytes:
        """Read the whole body of the response `head` (closes the connection if it ends)."""
        if head.length is None:
            body = b"".join([chunk async for chunk in self._chunks(head)])
        else:
            reader, _ = self._open()
            with self._on_error:
                body = await reader.readexactly(head.length)
        if head.close:
            await self.close()
        return body

    async def discard_body(self, head: ResponseHead) -> int:
        """Read the body of the response `head` without keeping it; its size in bytes."""
        size = 0
        async for chunk in self._chunks(head):
            size += len(chunk)
        if head.close:
            await self.close()
        return size

    async def _chunks(self, head: ResponseHead) -> AsyncIterator[bytes]:
        reader, _ = self._open()
        with self._on_error:
            if head.length is not None:
                left = head.length
                while left:
                    data = await reader.read(min(left, READ_BYTES))
                    if not data:
                        raise asyncio.IncompleteReadError(b"", left)
                    left -= len(data)
                    yield data
            elif head.chunked:
                while size := await _chunk_size(reader):
                    yield await reader.readexactly(size)
                    if await reader.readexactly(2) != b"\r\n":
                        raise HttpProtocolError("a chunk not followed by CRLF")
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # a trailer field: not kept
            else:
                while data := await reader.read(READ_BYTES):
                    yield data

    def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._streams is None:
            raise HttpProtocolError(f"no connection to {self.host}:{self.port} is open")
        return self._streams

    def _drop(self) -> asyncio.StreamWriter:
        """Close the open connection without waiting; its writer."""
        _, writer = self._open()
        self._streams = None
        writer.close()
        return writer


class _DropOnError:
    """Around a read: on failure, drop the connection (its state is unknown), and turn a
    connection closed mid-response into `HttpProtocolError`."""

    def __init__(self, connection: Http1Connection) -> None:
        self._connection = connection

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            return
        self._connection._drop()
        if isinstance(exc, asyncio.IncompleteReadError):
            where = f"{self._connection.host}:{self._connection.port}"
            raise HttpProtocolError(
                f"{where} closed the connection mid-response ({len(exc.partial)} bytes of "
                "the part read)"
            ) from exc


async def _chunk_size(reader: asyncio.StreamReader) -> int:
    line = await reader.readuntil(b"\r\n")
    try:
        return int(line.split(b";", 1)[0], 16)
    except ValueError as exc:
        raise HttpProtocolError(f"an invalid chunk size line: {line[:80]!r}") from exc
