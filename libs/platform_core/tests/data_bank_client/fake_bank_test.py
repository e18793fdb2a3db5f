"""DataBankClient against a small in-test server that behaves like data-bank-api.

The fake speaks data-bank-api's `/files` API (scoped keys, quoted SHA-256 ETags, single
ranges with If-Range, the error envelope) and can misbehave on request: drop the
connection mid-download, ignore ranges, serve corrupt bytes, answer malformed bodies.
"""

import asyncio
import hashlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from platform_core.data_bank_client import (
    BadRequestError,
    ChecksumMismatchError,
    ConflictError,
    DataBankClient,
    DataBankError,
    DataBankHTTPError,
    DataBankProtocolError,
    DataBankTimeoutError,
    DataBankUnavailableError,
    FileHead,
    FileInfo,
    ForbiddenError,
    InsufficientStorageError,
    NotFoundError,
    PartialDownloadError,
    PayloadTooLargeError,
    RangeNotSatisfiableError,
    UnauthorizedError,
)
from platform_core.data_bank_client.client import partial_path, sha256_of_etag
from platform_core.data_bank_client.multipart import FilePart
from platform_core.http_testing import running_server
from platform_core.logging import log_context

UPLOAD_KEY = "upload-key"
READ_KEY = "read-key"


@dataclass
class Stored:
    """One stored file."""

    content: bytes
    content_type: str
    created_at: datetime


@dataclass
class FakeBank:
    """The fake's state, its misbehaviours, and what it saw."""

    files: dict[str, Stored] = field(default_factory=dict)
    max_bytes: int = 1_000_000
    etag_style: str = "quoted"
    ignore_range: bool = False
    drop_after: int | None = None
    corrupt: bool = False
    wrong_range_start: bool = False
    short_range: bool = False
    bad_content_range: bool = False
    changed_etag: bool = False
    tampered_upload: bool = False
    malformed_info: bool = False
    no_content_type: bool = False
    no_content_length: bool = False
    requests: list[Request] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    hang: asyncio.Event = field(default_factory=asyncio.Event)

    def store(self, content: bytes, content_type: str = "text/plain") -> str:
        """Put a file in the bank; its id."""
        file_id = hashlib.sha256(content).hexdigest()
        self.files[file_id] = Stored(content, content_type, datetime(2026, 1, 2, tzinfo=UTC))
        return file_id

    def header(self, name: str) -> list[str | None]:
        """The value of one header in each request seen."""
        return [request.headers.get(name) for request in self.requests]


def envelope(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """An error answer in the platform's envelope."""
    body: dict[str, object] = {"code": code, "message": message, "request_id": "srv-1"}
    return json_response(body, status, headers)


def json_response(
    body: dict[str, object], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON answer."""
    return Response(json.dumps(body), status, headers=headers, media_type="application/json")


@dataclass(frozen=True)
class Found:
    """A stored file that a request names."""

    file_id: str
    stored: Stored


class FakeBankApp:
    """The fake data-bank-api: routes over a `FakeBank`."""

    def __init__(self, bank: FakeBank) -> None:
        self.bank = bank

    def refused(self, request: Request, upload: bool) -> Response | None:
        self.bank.requests.append(request)
        key = request.headers.get("x-api-key")
        if not key:
            return envelope(401, "UNAUTHORIZED", "missing API key")
        if key not in ({UPLOAD_KEY} if upload else {UPLOAD_KEY, READ_KEY}):
            return envelope(403, "FORBIDDEN", "invalid API key for permission")
        return None

    def etag(self, file_id: str) -> str:
        shown = (
            "f" * 64
            if self.bank.changed_etag and self.bank.requests[-1].method == "GET"
            else file_id
        )
        return {"quoted": f'"{shown}"', "bare": shown, "weak": f'W/"{shown}"'}[self.bank.etag_style]

    def headers_of(self, file_id: str, stored: Stored, length: int) -> dict[str, str]:
        headers = {"ETag": self.etag(file_id), "Accept-Ranges": "bytes"}
        if not self.bank.no_content_length:
            headers["Content-Length"] = str(length)
        if not self.bank.no_content_type:
            headers["Content-Type"] = stored.content_type
        return headers

    def lookup(self, request: Request) -> Found | Response:
        params: dict[str, str] = request.path_params
        file_id = params["file_id"]
        stored = self.bank.files.get(file_id)
        if stored is None:
            return envelope(404, "NOT_FOUND", "file not found")
        return Found(file_id, stored)

    async def upload(self, request: Request) -> Response:
        denied = self.refused(request, upload=True)
        if denied is not None:
            return denied
        declared = int(request.headers.get("content-length") or 0)
        if declared > self.bank.max_bytes:
            return envelope(413, "PAYLOAD_TOO_LARGE", "file too large")
        body = await request.body()
        self.bank.bodies.append(body)
        boundary = request.headers["content-type"].split("boundary=")[1].encode()
        head, _, rest = body.partition(b"\r\n\r\n")
        content = rest[: -len(b"\r\n--" + boundary + b"--\r\n")]
        part_type = head.split(b"Content-Type: ")[1].decode()
        file_id = self.bank.store(content, part_type)
        shown = "0" * 64 if self.bank.tampered_upload else file_id
        answer: dict[str, object] = {
            "file_id": shown,
            "size": len(content),
            "sha256": shown,
            "content_type": part_type,
            "created_at": "2026-01-02T00:00:00+00:00",
        }
        return json_response(answer, 201)

    async def info(self, request: Request) -> Response:
        denied = self.refused(request, upload=False)
        found = denied or self.lookup(request)
        if not isinstance(found, Found):
            return found
        file_id, stored = found.file_id, found.stored
        answer: dict[str, object] = {
            "file_id": file_id,
            "size": len(stored.content),
            "sha256": file_id,
            "content_type": stored.content_type,
            "created_at": stored.created_at.isoformat(),
        }
        if self.bank.malformed_info:
            answer["size"] = -1
        return json_response(answer)

    async def head(self, request: Request) -> Response:
        denied = self.refused(request, upload=False)
        found = denied or self.lookup(request)
        if not isinstance(found, Found):
            return found
        file_id, stored = found.file_id, found.stored
        response = Response(headers=self.headers_of(file_id, stored, len(stored.content)))
        if self.bank.no_content_length:
            del response.headers["content-length"]
        return response

    async def download(self, request: Request) -> Response:
        denied = self.refused(request, upload=False)
        found = denied or self.lookup(request)
        if not isinstance(found, Found):
            return found
        file_id, stored = found.file_id, found.stored
        content = bytes(b ^ 1 for b in stored.content) if self.bank.corrupt else stored.content
        size = len(content)
        start = 0
        wanted = request.headers.get("range")
        keep_range = request.headers.get("if-range") in (None, f'"{file_id}"')
        if wanted is not None and keep_range and not self.bank.ignore_range:
            start = int(wanted.removeprefix("bytes=").removesuffix("-"))
            if start >= size:
                return envelope(
                    416,
                    "RANGE_NOT_SATISFIABLE",
                    "unsatisfiable range",
                    {"Content-Range": f"bytes */{size}"},
                )
        part = content[start:]
        headers = self.headers_of(file_id, stored, len(part))
        status = 200
        if wanted is not None and keep_range and not self.bank.ignore_range:
            status = 206
            first = start + 1 if self.bank.wrong_range_start else start
            last = size - 2 if self.bank.short_range else size - 1
            headers["Content-Range"] = f"bytes {first}-{last}/{size}"
            if self.bank.bad_content_range:
                headers["Content-Range"] = "bytes=0-1"
        drop_after = self.bank.drop_after
        if drop_after is None:
            # A plain response: Starlette's StreamingResponse cancels the caller's task
            # through httpx's ASGI transport, which CPython 3.11.2's tracer (and so
            # coverage) does not survive.
            return Response(part, status, headers=headers)

        async def dropping() -> AsyncIterator[bytes]:
            yield part[:drop_after]
            raise ConnectionResetError("the fake drops the connection")

        return StreamingResponse(dropping(), status, headers=headers)

    async def remove(self, request: Request) -> Response:
        denied = self.refused(request, upload=True)
        if denied is not None:
            return denied
        params: dict[str, str] = request.path_params
        file_id = params["file_id"]
        self.bank.files.pop(file_id, None)
        return Response(status_code=204)

    async def stall(self, request: Request) -> Response:
        self.bank.requests.append(request)
        await self.bank.hang.wait()
        return Response(status_code=204)

    async def status_of(self, request: Request) -> Response:
        self.bank.requests.append(request)
        params: dict[str, str] = request.path_params
        status = params["status"]
        if status == "409":
            return envelope(409, "CONFLICT", "busy")
        if status == "507":
            return envelope(507, "INSUFFICIENT_STORAGE", "insufficient free space")
        if status == "400":
            return envelope(400, "INVALID_INPUT", "invalid file_id")
        if status == "empty":
            return Response(status_code=502)
        return Response("upstream exploded", 500, media_type="text/plain")

    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(
            routes=[
                Route("/files", self.upload, methods=["POST"]),
                Route("/files/{file_id}/info", self.info, methods=["GET"]),
                Route("/files/{file_id}", self.head, methods=["HEAD"]),
                Route("/files/{file_id}", self.download, methods=["GET"]),
                Route("/files/{file_id}", self.remove, methods=["DELETE"]),
                Route("/stall/files/{file_id}/info", self.stall, methods=["GET"]),
                Route("/status/{status}/files/{file_id}/info", self.status_of, methods=["GET"]),
            ]
        )


def build_fake(bank: FakeBank) -> Starlette:
    """The fake data-bank-api over `bank`."""
    return FakeBankApp(bank).app()


@pytest.fixture()
def bank() -> FakeBank:
    """A fresh fake bank."""
    return FakeBank()


@pytest.fixture()
async def client(bank: FakeBank) -> AsyncIterator[DataBankClient]:
    """A client calling the fake in-process, with small chunks."""
    transport = httpx.ASGITransport(app=build_fake(bank))
    async with DataBankClient(
        "http://bank", UPLOAD_KEY, transport=transport, chunk_bytes=1024
    ) as started:
        yield started


def sha(content: bytes) -> str:
    """Hex SHA-256."""
    return hashlib.sha256(content).hexdigest()


CONTENT = bytes(range(256)) * 40


async def test_upload_bytes(client: DataBankClient, bank: FakeBank) -> None:
    stored = await client.upload(CONTENT, filename="corpus.txt", content_type="text/plain")
    assert stored.file_id == stored.sha256 == sha(CONTENT)
    assert (stored.size, stored.content_type) == (len(CONTENT), "text/plain")
    assert stored.created_at == datetime(2026, 1, 2, tzinfo=UTC)
    [request] = bank.requests
    assert request.headers["x-api-key"] == UPLOAD_KEY
    assert request.headers["content-length"] == str(len(bank.bodies[0]))
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="corpus.txt"' in bank.bodies[0]
    assert "x-request-id" not in request.headers
    assert bank.files[stored.file_id].content == CONTENT


async def test_upload_a_stream_of_unknown_size(client: DataBankClient, bank: FakeBank) -> None:
    async def source() -> AsyncIterator[bytes]:
        for start in range(0, len(CONTENT), 1000):
            yield CONTENT[start : start + 1000]

    stored = await client.upload(source())
    assert stored.sha256 == sha(CONTENT)
    assert bank.requests[0].headers.get("content-length") is None
    assert bank.requests[0].headers["transfer-encoding"] == "chunked"
    assert stored.content_type == "application/octet-stream"


async def test_upload_a_file(client: DataBankClient, bank: FakeBank, tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(CONTENT * 3)
    stored = await client.upload_file(path, content_type="application/x-corpus")
    assert (stored.size, stored.sha256) == (len(CONTENT) * 3, sha(CONTENT * 3))
    assert b'filename="big.bin"' in bank.bodies[0]
    named = await client.upload_file(path, filename="other.bin")
    assert b'filename="other.bin"' in bank.bodies[1]
    assert named.content_type == "application/octet-stream"


async def test_a_source_that_lies_about_its_size(client: DataBankClient, bank: FakeBank) -> None:
    async def short() -> AsyncIterator[bytes]:
        yield b"abc"

    with pytest.raises(DataBankError, match="gave 3 bytes, not the 5 declared"):
        await client.upload(short(), size=5)
    assert bank.files == {}


@pytest.mark.parametrize("name", ['a"b', "a\rb", "a\nb"])
def test_header_breaking_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="must not contain quotes or line breaks"):
        FilePart(name, "text/plain")
    with pytest.raises(ValueError, match="content type must not"):
        FilePart("ok", name)


async def test_upload_checked_against_what_was_sent(client: DataBankClient, bank: FakeBank) -> None:
    bank.tampered_upload = True
    with pytest.raises(ChecksumMismatchError, match=f"but {len(CONTENT)} bytes with SHA-256"):
        await client.upload(CONTENT)


async def test_upload_over_the_limit(client: DataBankClient, bank: FakeBank) -> None:
    bank.max_bytes = 100
    with pytest.raises(PayloadTooLargeError) as caught:
        await client.upload(CONTENT)
    error = caught.value
    assert (error.status, error.code, error.message, error.request_id) == (
        413,
        "PAYLOAD_TOO_LARGE",
        "file too large",
        "srv-1",
    )
    assert str(error) == "HTTP 413 PAYLOAD_TOO_LARGE: file too large"


async def test_keys_and_scopes(bank: FakeBank) -> None:
    app = build_fake(bank)
    file_id = bank.store(b"x")
    async with DataBankClient("http://bank", "", transport=httpx.ASGITransport(app=app)) as anon:
        with pytest.raises(UnauthorizedError, match="missing API key"):
            await anon.info(file_id)
    async with DataBankClient(
        "http://bank", READ_KEY, transport=httpx.ASGITransport(app=app)
    ) as reader:
        assert (await reader.head(file_id)).size == 1
        with pytest.raises(ForbiddenError, match="invalid API key for permission"):
            await reader.delete(file_id)
        with pytest.raises(ForbiddenError):
            await reader.upload(b"y")


async def test_request_ids(client: DataBankClient, bank: FakeBank) -> None:
    file_id = bank.store(b"x")
    await client.head(file_id, request_id="explicit-1")
    with log_context(request_id="req-7"):
        await client.head(file_id)
        await client.head(file_id, request_id="explicit-2")
    with log_context(job_id="job-3"):
        await client.info(file_id)
    with log_context(request_id="req-8", job_id="job-4"):
        await client.delete(file_id)
    assert bank.header("x-request-id") == ["explicit-1", "req-7", "explicit-2", "job-3", "req-8"]


async def test_head_and_info(client: DataBankClient, bank: FakeBank) -> None:
    file_id = bank.store(b"hello", "text/plain; charset=utf-8")
    assert await client.head(file_id) == FileHead(5, file_id, "text/plain; charset=utf-8")
    bank.etag_style = "bare"
    assert (await client.head(file_id)).sha256 == file_id
    info = await client.info(file_id)
    assert (info.file_id, info.size, info.content_type) == (file_id, 5, "text/plain; charset=utf-8")


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("weak", "expected a strong SHA-256 ETag"),
        ("no_content_type", "no Content-Type"),
        ("no_content_length", "expected a byte count in content-length"),
    ],
)
async def test_malformed_heads(
    client: DataBankClient, bank: FakeBank, fault: str, message: str
) -> None:
    file_id = bank.store(b"hello")
    bank.etag_style = "weak" if fault == "weak" else "quoted"
    bank.no_content_type = fault == "no_content_type"
    bank.no_content_length = fault == "no_content_length"
    with pytest.raises(DataBankProtocolError, match=message):
        await client.head(file_id)


async def test_malformed_info(client: DataBankClient, bank: FakeBank) -> None:
    file_id = bank.store(b"hello")
    bank.malformed_info = True
    with pytest.raises(DataBankProtocolError, match=r"malformed info answer: \d problem"):
        await client.info(file_id)


def test_etags() -> None:
    digits = "AB" * 32
    assert sha256_of_etag(f'"{digits}"') == digits.lower()
    assert sha256_of_etag(f" {digits} ") == digits.lower()
    for bad in [None, f'W/"{digits}"', f'"{digits}', '"abc"', ""]:
        with pytest.raises(DataBankProtocolError):
            sha256_of_etag(bad)


async def test_delete(client: DataBankClient, bank: FakeBank) -> None:
    file_id = bank.store(b"bye")
    await client.delete(file_id)
    await client.delete(file_id)
    with pytest.raises(NotFoundError, match="HTTP 404 NOT_FOUND: file not found"):
        await client.info(file_id)
    with pytest.raises(NotFoundError) as caught:
        await client.head(file_id)
    assert (str(caught.value), caught.value.code) == ("HTTP 404", "")
    with pytest.raises(NotFoundError):
        await client.info("../x")


@pytest.mark.parametrize(
    ("status", "kind", "text"),
    [
        ("400", BadRequestError, "HTTP 400 INVALID_INPUT: invalid file_id"),
        ("409", ConflictError, "HTTP 409 CONFLICT: busy"),
        ("507", InsufficientStorageError, "HTTP 507 INSUFFICIENT_STORAGE: insufficient free space"),
        ("500", DataBankHTTPError, "HTTP 500: upstream exploded"),
        ("empty", DataBankHTTPError, "HTTP 502"),
    ],
)
async def test_error_statuses(
    bank: FakeBank, status: str, kind: type[DataBankHTTPError], text: str
) -> None:
    transport = httpx.ASGITransport(app=build_fake(bank))
    async with DataBankClient(
        f"http://bank/status/{status}", UPLOAD_KEY, transport=transport
    ) as odd:
        with pytest.raises(kind) as caught:
            await odd.info("x")
    assert type(caught.value) is kind
    assert str(caught.value) == text


async def test_download_to_path(client: DataBankClient, bank: FakeBank, tmp_path: Path) -> None:
    file_id = bank.store(CONTENT, "application/octet-stream")
    dest = tmp_path / "corpus.bin"
    head = await client.download_to_path(file_id, dest)
    assert head == FileHead(len(CONTENT), file_id, "application/octet-stream")
    assert dest.read_bytes() == CONTENT
    assert not partial_path(dest, file_id).exists()
    assert [r.method for r in bank.requests] == ["HEAD", "GET"]
    assert bank.requests[1].headers.get("range") is None


async def test_download_of_an_empty_file(
    client: DataBankClient, bank: FakeBank, tmp_path: Path
) -> None:
    file_id = bank.store(b"")
    dest = tmp_path / "empty"
    assert (await client.download_to_path(file_id, dest)).size == 0
    assert dest.read_bytes() == b""
    assert [r.method for r in bank.requests] == ["HEAD"]


async def test_download_resumes_from_a_partial_file(
    client: DataBankClient, bank: FakeBank, tmp_path: Path
) -> None:
    file_id = bank.store(CONTENT)
    dest = tmp_path / "corpus.bin"
    partial_path(dest, file_id).write_bytes(CONTENT[:3000])
    await client.download_to_path(file_id, dest)
    assert dest.read_bytes() == CONTENT
    get = bank.requests[1]
    assert get.headers["range"] == "bytes=3000-"
    assert get.headers["if-range"] == f'"{file_id}"'


async def test_a_complete_partial_file_needs_no_get(
    client: DataBankClient, bank: FakeBank, tmp_path: Path
) -> None:
    file_id = bank.store(CONTENT)
    dest = tmp_path / "corpus.bin"
    partial_path(dest, file_id).write_bytes(CONTENT)
    await client.download_to_path(file_id, dest)
    assert dest.read_bytes() == CONTENT
    assert [r.method for r in bank.requests] == ["HEAD"]


async def test_resume_off_starts_over(
    client: DataBankClient, bank: FakeBank, tmp_path: Path
) -> None:
    file_id = bank.store(CONTENT)
    dest = tmp_path / "corpus.bin"
    partial_path(dest, file_id).write_bytes(b"garbage that is not the start")
    await client.download_to_path(file_id, dest, resume=False)
    assert dest.read_bytes() == CONTENT
    assert bank.requests[1].headers.get("range") is None


async def test_a_server_that_ignores_the_range(
    client: DataBankClient, bank: FakeBank, tmp_path: Path
) -> None:
    file_id = bank.store(CONTENT)
    dest = tmp_path / "corpus.bin"
    partial_path(dest, file_id).write_bytes(CONTENT[:100])
    bank.ignore_range = True
    await client.download_to_path(file_id, dest)
    assert dest.read_bytes() == CONTENT


async def test_corrupt_content_is_never_kept(
    client: DataBankClient, bank: FakeBank, tmp_path: Path
) -> None:
    file_id = bank.store(CONTENT)
    dest = tmp_path / "corpus.bin"
    bank.corrupt = True
    with pytest.raises(ChecksumMismatchError, match=f"expected {len(CONTENT)} bytes"):
        await client.download_to_path(file_id, dest)
    assert not dest.exists()
    assert not partial_path(dest, file_id).exists()


async def test_a_corrupt_partial_file_is_caught(
    client: DataBankClient, bank: FakeBank, tmp_path: Path
) -> None:
    file_id = bank.store(CONTENT)
    dest = tmp_path / "corpus.bin"
    partial_path(dest, file_id).write_bytes(b"\x00" * 500)
    with pytest.raises(ChecksumMismatchError):
        await client.download_to_path(file_id, dest)
    assert not partial_path(dest, file_id).exists()
    await client.download_to_path(file_id, dest)
    assert dest.read_bytes() == CONTENT


async def test_a_partial_file_longer_than_the_file(
    client: DataBankClient, bank: FakeBank, tmp_path: Path
) -> None:
    file_id = bank.store(b"short")
    dest = tmp_path / "x"
    partial_path(dest, file_id).write_bytes(b"much longer than five")
    with pytest.raises(PartialDownloadError, match="has 21 bytes, more than the 5"):
        await client.download_to_path(file_id, dest)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("wrong_range_start", "asked for bytes from 100, got from 101"),
        ("short_range", "does not run to the end of the file"),
        ("bad_content_range", "expected Content-Range bytes a-b/size"),
        ("changed_etag", "changed between HEAD and GET"),
    ],
)
async def test_malformed_ranged_answers(
    client: DataBankClient, bank: FakeBank, tmp_path: Path, fault: str, message: str
) -> None:
    file_id = bank.store(CONTENT)
    dest = tmp_path / "corpus.bin"
    partial_path(dest, file_id).write_bytes(CONTENT[:100])
    bank.wrong_range_start = fault == "wrong_range_start"
    bank.short_range = fault == "short_range"
    bank.bad_content_range = fault == "bad_content_range"
    bank.changed_etag = fault == "changed_etag"
    with pytest.raises(DataBankProtocolError, match=message):
        await client.download_to_path(file_id, dest)
    assert not dest.exists()


async def test_stream(client: DataBankClient, bank: FakeBank) -> None:
    file_id = bank.store(CONTENT, "text/csv")
    async with client.stream(file_id) as download:
        assert (download.head, download.start) == (FileHead(len(CONTENT), file_id, "text/csv"), 0)
        whole = b"".join([chunk async for chunk in download.chunks])
    assert whole == CONTENT
    async with client.stream(file_id, start=1000) as tail:
        assert tail.head.size == len(CONTENT)
        assert b"".join([chunk async for chunk in tail.chunks]) == CONTENT[1000:]
    assert bank.requests[-1].headers["range"] == "bytes=1000-"
    with pytest.raises(RangeNotSatisfiableError):
        async with client.stream(file_id, start=len(CONTENT)):
            pytest.fail("streamed")
    with pytest.raises(ValueError, match="must not be negative"):
        client.stream(file_id, start=-1)


async def test_stream_checks_the_range(client: DataBankClient, bank: FakeBank) -> None:
    file_id = bank.store(CONTENT)
    bank.wrong_range_start = True
    with pytest.raises(DataBankProtocolError, match="asked for bytes from 10, got from 11"):
        async with client.stream(file_id, start=10):
            pytest.fail("streamed")
    bank.wrong_range_start = False
    bank.ignore_range = True
    with pytest.raises(DataBankProtocolError, match="asked for bytes from 10, got the whole file"):
        async with client.stream(file_id, start=10):
            pytest.fail("streamed")


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk_bytes must be positive"):
        DataBankClient("http://bank", "k", chunk_bytes=0)


async def test_an_interrupted_download_resumes_over_real_http(
    bank: FakeBank, tmp_path: Path
) -> None:
    file_id = bank.store(CONTENT * 10)
    dest = tmp_path / "corpus.bin"
    bank.drop_after = 5000
    async with (
        running_server(build_fake(bank)) as server,
        DataBankClient(server.url, UPLOAD_KEY, chunk_bytes=1000) as remote,
    ):
        with pytest.raises(DataBankUnavailableError, match="GET /files/"):
            await remote.download_to_path(file_id, dest)
        kept = partial_path(dest, file_id).stat().st_size
        assert 0 < kept <= 5000
        bank.drop_after = None
        await remote.download_to_path(file_id, dest)
    assert dest.read_bytes() == CONTENT * 10
    assert bank.requests[-1].headers["range"] == f"bytes={kept}-"


async def test_upload_and_download_over_real_http(bank: FakeBank, tmp_path: Path) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(CONTENT * 50)
    async with (
        running_server(build_fake(bank)) as server,
        DataBankClient(server.url, UPLOAD_KEY, chunk_bytes=4096) as remote,
    ):
        stored = await remote.upload_file(source)
        await remote.download_to_path(stored.file_id, tmp_path / "out.bin")
    assert (tmp_path / "out.bin").read_bytes() == CONTENT * 50


async def test_timeouts(bank: FakeBank) -> None:
    async with running_server(build_fake(bank), grace_s=1) as server:
        async with DataBankClient(f"{server.url}/stall", UPLOAD_KEY, timeout_s=0.2) as slow:
            with pytest.raises(DataBankTimeoutError, match="GET /files/x/info: timed out"):
                await slow.info("x")
        bank.hang.set()


def free_port() -> int:
    """A port nothing listens on (just released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_nothing_listening() -> None:
    async with DataBankClient(f"http://127.0.0.1:{free_port()}", UPLOAD_KEY) as nowhere:
        with pytest.raises(DataBankUnavailableError, match="HEAD /files/abc: ConnectError"):
            await nowhere.head("abc")


def test_file_info_is_content_addressed() -> None:
    digits = "a" * 64
    good: dict[str, object] = {"file_id": digits, "sha256": digits, "size": 1}
    good |= {"content_type": "x", "created_at": None}
    assert FileInfo.model_validate(good).size == 1
    with pytest.raises(ValueError, match="file_id must equal sha256"):
        FileInfo.model_validate(good | {"sha256": "b" * 64})
    with pytest.raises(ValueError, match="64 lowercase hex characters"):
        FileInfo.model_validate(good | {"file_id": "A" * 64, "sha256": "A" * 64})


def test_partial_path() -> None:
    assert partial_path(Path("/d/out.bin"), "ab") == Path("/d/.out.bin.ab.part")
