"""`DataBankClient`: the calls of data-bank-api's `/files` API over one httpx.AsyncClient.

Local file I/O (the bytes an upload reads, a download writes) runs in threads through
`platform_core.blocking`, never on the event loop.
"""

import hashlib
import os
import re
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from io import BufferedReader, BufferedWriter
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from platform_core.blocking import run_blocking
from platform_core.data_bank_client.errors import (
    ChecksumMismatchError,
    DataBankError,
    DataBankProtocolError,
    DataBankTimeoutError,
    DataBankUnavailableError,
    PartialDownloadError,
    http_error,
)
from platform_core.data_bank_client.models import Download, FileHead, FileInfo
from platform_core.data_bank_client.multipart import FilePart
from platform_core.logging import current_job_id, current_request_id

DEFAULT_CHUNK_BYTES = 1024 * 1024
DEFAULT_TIMEOUT_S = 60.0
API_KEY_HEADER = "X-API-Key"
REQUEST_ID_HEADER = "X-Request-ID"

_ETAG = re.compile(r'^(?:"([0-9a-fA-F]{64})"|([0-9a-fA-F]{64}))$')
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def sha256_of_etag(etag: str | None) -> str:
    """The SHA-256 in a strong ETag (`"<hex>"`, or the original's bare `<hex>`)."""
    match = _ETAG.fullmatch(etag.strip()) if etag is not None else None
    if match is None:
        raise DataBankProtocolError(f"expected a strong SHA-256 ETag, got {etag!r}")
    digits: str = match.group(1) or match.group(2)
    return digits.lower()


def header(response: httpx.Response, name: str) -> str | None:
    """One response header, typed (httpx's `Headers.get` returns `Any`)."""
    value: str | None = response.headers.get(name)
    return value


def _int_header(response: httpx.Response, name: str) -> int:
    raw = header(response, name)
    if raw is None or not raw.isdigit():
        raise DataBankProtocolError(f"expected a byte count in {name}, got {raw!r}")
    return int(raw)


def _head_of(response: httpx.Response, size: int) -> FileHead:
    content_type = header(response, "content-type")
    if not content_type:
        raise DataBankProtocolError("the response has no Content-Type")
    return FileHead(size, sha256_of_etag(header(response, "etag")), content_type)


def _range_start(response: httpx.Response) -> tuple[int, int]:
    """The first byte and the file size of a 206 answer."""
    raw = header(response, "content-range") or ""
    match = _CONTENT_RANGE.fullmatch(raw)
    if match is None:
        raise DataBankProtocolError(f"expected Content-Range bytes a-b/size, got {raw!r}")
    first, last, size = (int(group) for group in match.groups())
    if last != size - 1:
        raise DataBankProtocolError(f"the range {raw!r} does not run to the end of the file")
    return first, size


def _parse(model: type[FileInfo], raw: bytes, what: str) -> FileInfo:
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise DataBankProtocolError(f"malformed {what}: {exc.error_count()} problem(s)") from exc


def partial_path(dest: Path, sha256: str) -> Path:
    """Where a download of `sha256` to `dest` keeps its bytes until they are verified."""
    return dest.with_name(f".{dest.name}.{sha256}.part")


def _open_read(path: Path) -> BufferedReader:
    return path.open("rb")


def _open_write(path: Path, *, append: bool) -> BufferedWriter:
    return path.open("ab") if append else path.open("wb")


async def _file_chunks(path: Path, chunk_bytes: int) -> AsyncIterator[bytes]:
    handle = await run_blocking(_open_read, path)
    try:
        while chunk := await run_blocking(handle.read, chunk_bytes):
            yield chunk
    finally:
        await run_blocking(handle.close)


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data


class _Received:
    """The bytes of a download so far: how many, and their running SHA-256."""

    def __init__(self) -> None:
        self.size = 0
        self._digest = hashlib.sha256()

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self._digest.update(chunk)

    def restart(self) -> None:
        self.size = 0
        self._digest = hashlib.sha256()

    def sha256(self) -> str:
        return self._digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DataBankClient:
    """data-bank-api's `/files` API: every method is one request (a download: HEAD + GET).

    `api_key` goes in `X-API-Key`; `request_id` (default: the current request's id,
    else the current job's) in `X-Request-ID`. Use as `async with` or call `aclose()`.
    `transport` is for tests (e.g. `httpx.ASGITransport(app)`).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if chunk_bytes <= 0:
            raise ValueError("chunk_bytes must be positive")
        self._api_key = api_key
        self._chunk_bytes = chunk_bytes
        self._client = httpx.AsyncClient(
            base_url=base_url, timeout=httpx.Timeout(timeout_s), transport=transport
        )

    async def aclose(self) -> None:
        """Close the connections."""
        await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def _headers(
        self, request_id: str | None, extra: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        headers = {API_KEY_HEADER: self._api_key}
        correlation = request_id or current_request_id() or current_job_id()
        if correlation:
            headers[REQUEST_ID_HEADER] = correlation
        headers.update(extra or {})
        return headers

    @asynccontextmanager
    async def _send(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        content: AsyncIterable[bytes] | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """One request with a streamed response; error answers and transport failures raise."""
        try:
            async with self._client.stream(
                method, path, headers=headers, content=content
            ) as response:
                if response.status_code >= 400:
                    raise http_error(response.status_code, await response.aread())
                yield response
        except httpx.TimeoutException as exc:
            raise DataBankTimeoutError(f"{method} {path}: timed out") from exc
        except httpx.TransportError as exc:
            raise DataBankUnavailableError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc

    @staticmethod
    def _file_path(file_id: str, suffix: str = "") -> str:
        return f"/files/{quote(file_id, safe='')}{suffix}"

    async def upload(
        self,
        source: bytes | AsyncIterable[bytes],
        *,
        size: int | None = None,
        filename: str = "upload",
        content_type: str = "application/octet-stream",
        request_id: str | None = None,
    ) -> FileInfo:
        """Stream `source` as a new file; what the server stored.

        With `size` (known for bytes and files) the request has a `Content-Length`, so an
        upload over the server's limit is refused before it is sent; a source that yields
        a different number of bytes raises `DataBankError`. The server's SHA-256 and size
        must equal those of the bytes sent (`ChecksumMismatchError` otherwise).
        """
        if isinstance(source, bytes):
            size = len(source) if size is None else size
            source = _single(source)
        form = FilePart(filename, content_type)
        digest = hashlib.sha256()
        sent = 0

        async def body() -> AsyncIterator[bytes]:
            nonlocal sent
            yield form.head
            async for chunk in source:
                digest.update(chunk)
                sent += len(chunk)
                yield chunk
            if size is not None and sent != size:
                raise DataBankError(f"the upload source gave {sent} bytes, not the {size} declared")
            yield form.tail

        extra = {"Content-Type": form.body_content_type}
        if size is not None:
            extra["Content-Length"] = str(form.body_length(size))
        async with self._send("POST", "/files", self._headers(request_id, extra), body()) as answer:
            raw = await answer.aread()
        stored = _parse(FileInfo, raw, "upload answer")
        if stored.sha256 != digest.hexdigest() or stored.size != sent:
            raise ChecksumMismatchError(
                f"the server stored {stored.size} bytes with SHA-256 {stored.sha256}, "
                f"but {sent} bytes with SHA-256 {digest.hexdigest()} were sent"
            )
        return stored

    async def upload_file(
        self,
        path: Path,
        *,
        content_type: str = "application/octet-stream",
        filename: str | None = None,
        request_id: str | None = None,
    ) -> FileInfo:
        """Stream the file at `path` (read in chunks, never whole into memory)."""
        size = (await run_blocking(path.stat)).st_size
        return await self.upload(
            _file_chunks(path, self._chunk_bytes),
            size=size,
            filename=filename or path.name,
            content_type=content_type,
            request_id=request_id,
        )

    async def head(self, file_id: str, *, request_id: str | None = None) -> FileHead:
        """Size, SHA-256 and content type of a file (`HEAD /files/{id}`)."""
        async with self._send(
            "HEAD", self._file_path(file_id), self._headers(request_id)
        ) as answer:
            return _head_of(answer, _int_header(answer, "content-length"))

    async def info(self, file_id: str, *, request_id: str | None = None) -> FileInfo:
        """A file's metadata (`GET /files/{id}/info`)."""
        path = self._file_path(file_id, "/info")
        async with self._send("GET", path, self._headers(request_id)) as answer:
            raw = await answer.aread()
        return _parse(FileInfo, raw, "info answer")

    async def delete(self, file_id: str, *, request_id: str | None = None) -> None:
        """Delete a file (the server answers 204 whether or not it was stored)."""
        async with self._send("DELETE", self._file_path(file_id), self._headers(request_id)):
            pass

    def stream(
        self, file_id: str, *, start: int = 0, request_id: str | None = None
    ) -> AbstractAsyncContextManager[Download]:
        """`async with bank.stream(id, start=n) as download:` the bytes from `start` on.

        The bytes are not verified (only `download_to_path` can check the whole file).
        """
        if start < 0:
            raise ValueError("start must not be negative")
        return self._stream(file_id, start, request_id)

    @asynccontextmanager
    async def _stream(
        self, file_id: str, start: int, request_id: str | None
    ) -> AsyncIterator[Download]:
        extra = {"Range": f"bytes={start}-"} if start else {}
        headers = self._headers(request_id, extra)
        async with self._send("GET", self._file_path(file_id), headers) as answer:
            if answer.status_code == 206:
                first, size = _range_start(answer)
                if first != start:
                    raise DataBankProtocolError(f"asked for bytes from {start}, got from {first}")
            elif start:
                raise DataBankProtocolError(f"asked for bytes from {start}, got the whole file")
            else:
                size = _int_header(answer, "content-length")
            head = _head_of(answer, size)
            yield Download(head, start, answer.aiter_bytes(self._chunk_bytes))

    async def download_to_path(
        self, file_id: str, dest: Path, *, resume: bool = True, request_id: str | None = None
    ) -> FileHead:
        """Download a file to `dest`, verified against its SHA-256; what was downloaded.

        The bytes go to a partial file next to `dest` (`.<name>.<sha256>.part`); an
        interrupted download resumes from it (unless `resume=False`) with a range request.
        Only verified content is renamed to `dest`; content that does not match its
        SHA-256 is deleted and `ChecksumMismatchError` raised.
        """
        head = await self.head(file_id, request_id=request_id)
        part = partial_path(dest, head.sha256)
        received = _Received()
        if resume and await run_blocking(part.exists):
            # The partial file's bytes are hashed again rather than trusted: the final
            # SHA-256 check below covers every byte, also those an earlier run (or a crash
            # of this machine) left there.
            async for chunk in _file_chunks(part, self._chunk_bytes):
                received.add(chunk)
            if received.size > head.size:
                raise PartialDownloadError(
                    f"{part} has {received.size} bytes, more than the {head.size} of {file_id}"
                )
        else:
            await run_blocking(part.write_bytes, b"")
        if received.size < head.size:
            await self._fetch_into(file_id, head, part, received, request_id)
        if received.size != head.size or received.sha256() != head.sha256:
            await run_blocking(part.unlink)
            raise ChecksumMismatchError(
                f"{file_id}: got {received.size} bytes with SHA-256 {received.sha256()}, "
                f"expected {head.size} bytes with SHA-256 {head.sha256}"
            )
        # The partial file's data was fsynced by `_fetch_into` before this rename: renamed
        # first, a crash could leave `dest` named but short or empty. The directory is
        # fsynced after it, or the rename itself may not survive a crash.
        await run_blocking(part.replace, dest)
        await run_blocking(_fsync_dir, dest.parent)
        return head

    async def _fetch_into(
        self,
        file_id: str,
        head: FileHead,
        part: Path,
        received: _Received,
        request_id: str | None,
    ) -> None:
        """GET the bytes after those `received` already, appending them to `part`."""
        offset = received.size
        extra = {"Range": f"bytes={offset}-", "If-Range": f'"{head.sha256}"'} if offset else {}
        headers = self._headers(request_id, extra)
        async with self._send("GET", self._file_path(file_id), headers) as answer:
            if sha256_of_etag(header(answer, "etag")) != head.sha256:
                raise DataBankProtocolError(f"{file_id} changed between HEAD and GET")
            if answer.status_code == 206:
                first, _ = _range_start(answer)
                if first != offset:
                    raise DataBankProtocolError(f"asked for bytes from {offset}, got from {first}")
                append = True
            else:
                # The whole file came (a server may ignore a range): start over.
                received.restart()
                append = False
            handle = await run_blocking(_open_write, part, append=append)
            try:
                async for chunk in answer.aiter_bytes(self._chunk_bytes):
                    received.add(chunk)
                    await run_blocking(handle.write, chunk)
                await run_blocking(handle.flush)
                # Durable before the caller renames the file into place (see there).
                await run_blocking(os.fsync, handle.fileno())
            finally:
                await run_blocking(handle.close)
