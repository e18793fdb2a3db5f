"""`Http1Client`: one keep-alive HTTP/1.1 connection (h11 over asyncio streams).

The load generator needs hundreds of light connections; httpx is not available to
services (the libs own it), and one httpx client per connection would also load the CA
bundle once per client on the generator's loop. (qr-api's benchmark has the same kind
of client; a shared one would belong in a lib.)
"""

import asyncio
from types import TracebackType
from typing import Self

import h11
from h11._util import Sentinel

READ_CHUNK = 65536
_CLIENT: type[Sentinel] = h11.CLIENT  # h11's sentinels, typed once
_DONE: type[Sentinel] = h11.DONE


class HttpProtocolError(Exception):
    """The server broke HTTP/1.1 or closed the connection mid-response."""


class Http1Client:
    """Requests to `host:port`, one at a time, on one connection (reopened if closed)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._h11 = h11.Connection(_CLIENT)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def request(self, method: str, target: str, body: bytes = b"") -> tuple[int, bytes]:
        """Send one request (a body is sent as JSON); the status and the whole body."""
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
            self._h11 = h11.Connection(_CLIENT)
        reader, writer = self._streams
        headers = [("host", f"{self.host}:{self.port}")]
        if method != "GET":
            headers += [("content-type", "application/json"), ("content-length", str(len(body)))]
        out = self._h11.send(h11.Request(method=method, target=target, headers=headers))
        out += self._h11.send(h11.Data(data=body)) if body else b""
        out += self._h11.send(h11.EndOfMessage())
        writer.write(out)
        await writer.drain()
        status, content = await self._read(reader)
        if self._h11.our_state is _DONE and self._h11.their_state is _DONE:
            self._h11.start_next_cycle()
        else:
            await self.close()
        return status, content

    async def _read(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        status = 0
        chunks: list[bytes] = []
        while True:
            event = self._h11.next_event()
            if isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                return status, b"".join(chunks)
            elif isinstance(event, h11.Event):
                raise HttpProtocolError(f"unexpected {event!r} from {self.host}:{self.port}")
            else:  # NEED_DATA: read more (b"" at EOF makes h11 raise or report closure)
                self._h11.receive_data(await reader.read(READ_CHUNK))

    async def close(self) -> None:
        """Close the connection."""
        if self._streams is not None:
            _, writer = self._streams
            self._streams = None
            writer.close()
            await writer.wait_closed()
