"""`platform_core.http_fetch`: stream a large HTTP resource (a dump, an archive) in chunks.

    async with fetch_stream(url, timeout_s=30.0) as body:
        async for chunk in body.chunks:       # bytes, at most `chunk_bytes` each
            ...

One GET, nothing retried, nothing buffered beyond one chunk, so memory stays flat
however large the resource is. Failures are typed: `FetchStatusError` for an answer
of 400 or more (with its status), `FetchTimeoutError` when the server stops answering
for `timeout_s`, `FetchUnavailableError` for a refused or lost connection.
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

__all__ = [
    "DEFAULT_CHUNK_BYTES",
    "FetchError",
    "FetchStatusError",
    "FetchTimeoutError",
    "FetchUnavailableError",
    "Fetched",
    "fetch_stream",
]

DEFAULT_CHUNK_BYTES = 1024 * 1024


class FetchError(Exception):
    """Any failure of a fetch."""


class FetchUnavailableError(FetchError):
    """The request did not complete: connection refused or lost."""


class FetchTimeoutError(FetchUnavailableError):
    """The server did not answer (or stopped sending) within the timeout."""


class FetchStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, url: str, status: int) -> None:
        super().__init__(f"GET {url}: HTTP {status}")
        self.url = url
        self.status = status


@dataclass(frozen=True, slots=True)
class Fetched:
    """A successful answer: its status, declared length (None when not sent) and body."""

    status: int
    content_length: int | None
    chunks: AsyncIterator[bytes]


def _length(response: httpx.Response) -> int | None:
    raw: str | None = response.headers.get("content-length")
    return int(raw) if raw is not None and raw.isdigit() else None


async def _chunks(response: httpx.Response, url: str, chunk_bytes: int) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_bytes(chunk_bytes):
            yield chunk
    except httpx.TimeoutException as exc:
        raise FetchTimeoutError(f"GET {url}: timed out while reading") from exc
    except httpx.TransportError as exc:
        raise FetchUnavailableError(f"GET {url}: {type(exc).__name__}: {exc}") from exc


@asynccontextmanager
async def fetch_stream(
    url: str,
    *,
    timeout_s: float = 30.0,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    headers: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Fetched]:
    """GET `url` and stream its body for the block (redirects followed).

    `timeout_s` bounds connecting and each wait for bytes, not the whole transfer.
    `transport` is for tests (e.g. `httpx.ASGITransport(app)`).
    """
    if chunk_bytes <= 0:
        raise ValueError("chunk_bytes must be positive")
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_s), transport=transport, follow_redirects=True
    ) as client:
        try:
            async with client.stream("GET", url, headers=dict(headers or {})) as response:
                if response.status_code >= 400:
                    raise FetchStatusError(url, response.status_code)
                yield Fetched(
                    response.status_code, _length(response), _chunks(response, url, chunk_bytes)
                )
        except httpx.TimeoutException as exc:
            raise FetchTimeoutError(f"GET {url}: timed out") from exc
        except httpx.TransportError as exc:
            raise FetchUnavailableError(f"GET {url}: {type(exc).__name__}: {exc}") from exc
