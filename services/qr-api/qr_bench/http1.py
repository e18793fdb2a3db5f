"""`Http1Connection`: one keep-alive HTTP/1.1 client connection (h11 over asyncio streams).

Services may not use httpx (it is an I/O client owned by the libs), so the benchmark
and the end-to-end tests talk to the real server with this: one request at a time on
one TCP connection, reopened for the next request only when the server closed it.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

import h11
from h11._util import Sentinel

READ_CHUNK = 65536
# h11's state sentinels, typed once (mypy sees h11's sentinel metaclass as Any).
_CLIENT: type[Sentinel] = h11.CLIENT
_DONE: type[Sentinel] = h11.DONE


class HttpProtocolError(Exception):
    """The server closed the connection or broke HTTP/1.1 mid-response."""


@dataclass(frozen=True)
class HttpResponse:
    """A complete response; header names are lower case, repeated ones joined by `, `."""

    status: int
    headers: dict[str, str]
    body: bytes


class Http1Connection:
    """Requests to `host:port`, one after another, over a persistent connection."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._h11 = h11.Connection(_CLIENT)

    async def __aenter__(self) -> "Http1Connection":
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

    async def request(
        self,
        method: str,
        target: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> HttpResponse:
        """Send one request and read the whole response."""
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
            self._h11 = h11.Connection(_CLIENT)
        reader, writer = self._streams
        all_headers = [("host", f"{self.host}:{self.port}"), *headers]
        if body or method in ("POST", "PUT", "PATCH"):
            all_headers.append(("content-length", str(len(body))))
        out = self._h11.send(h11.Request(method=method, target=target, headers=all_headers))
        out += self._h11.send(h11.Data(data=body)) if body else b""
        out += self._h11.send(h11.EndOfMessage())
        writer.write(out)
        await writer.drain()
        response = await self._read(reader)
        if self._h11.our_state is _DONE and self._h11.their_state is _DONE:
            self._h11.start_next_cycle()
        else:
            await self.close()
        return response

    async def _read(self, reader: asyncio.StreamReader) -> HttpResponse:
        status = 0
        headers: dict[str, str] = {}
        chunks: list[bytes] = []
        while True:
            event = self._h11.next_event()
            if isinstance(event, h11.Response):
                status = event.status_code
                for name, value in event.headers:
                    key = name.decode("ascii")
                    text = value.decode("latin-1")
                    headers[key] = f"{headers[key]}, {text}" if key in headers else text
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                return HttpResponse(status, headers, b"".join(chunks))
            elif isinstance(event, h11.Event):
                raise HttpProtocolError(f"unexpected {event!r} from {self.host}:{self.port}")
            else:  # NEED_DATA (PAUSED cannot follow a request); b"" at EOF is h11's signal
                self._h11.receive_data(await reader.read(READ_CHUNK))

    async def close(self) -> None:
        """Close the TCP connection (the next request opens a new one)."""
        if self._streams is not None:
            _, writer = self._streams
            self._streams = None
            writer.close()
            await writer.wait_closed()
