"""The app behind a real Hypercorn server on 127.0.0.1, driven over raw sockets where the
test needs to control exactly which bytes are sent: auth and limits before the body, a
client that disconnects mid-upload or mid-download."""

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from data_bank_api.app import Collaborators, build_app
from data_bank_api.settings import DataBankSettings
from data_bank_testing.faults import FaultyFiles, FreeSpace
from platform_core.blocking import run_blocking
from platform_core.http_testing import RunningServer, running_server

UP, RD = "upload-key", "read-key"
BOUNDARY = "sep"
MAX_FILE_BYTES = 8 * 1024 * 1024


@dataclass
class Served:
    """The app behind Hypercorn on loopback, with its injected file layer and data root."""

    server: RunningServer
    files: FaultyFiles
    root: Path


@pytest.fixture()
async def served(
    data_root: Path, redis_url: str, faulty_files: FaultyFiles, free_space: FreeSpace
) -> AsyncIterator[Served]:
    values: dict[str, object] = {
        "redis_url": redis_url,
        "api_upload_keys": (UP,),
        "api_read_keys": (RD,),
        "data_root": data_root,
        "max_file_bytes": MAX_FILE_BYTES,
    }
    settings = DataBankSettings.model_validate(values)
    collaborators = Collaborators(files=faulty_files, free_space=free_space, chunk_bytes=65536)
    async with running_server(build_app(settings, collaborators)) as server:
        yield Served(server, faulty_files, data_root)


def signal_on(files: FaultyFiles, operation: str, path_contains: str = "") -> threading.Event:
    """An event set the next time the server makes that filesystem call."""
    reached = threading.Event()
    files.before(operation, reached.set, path_contains=path_contains)
    return reached


def signal_done(files: FaultyFiles, operation: str, path_contains: str = "") -> threading.Event:
    """An event set once the next such filesystem call has returned."""
    done = threading.Event()
    files.once_done(operation, done.set, path_contains=path_contains)
    return done


async def reached(event: threading.Event) -> None:
    assert await run_blocking(event.wait, 10)


async def exchange(server: RunningServer, request: bytes) -> bytes:
    """Send `request` (headers only, or more) and read the response until the server closes
    the connection or the headers and declared body have arrived."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(request)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return head + await asyncio.wait_for(reader.readexactly(length), 10)
    finally:
        writer.close()


def upload_head(key: str | None, length: int) -> bytes:
    lines = [
        "POST /files HTTP/1.1",
        "Host: test",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        f"Content-Length: {length}",
    ]
    if key is not None:
        lines.append(f"X-API-Key: {key}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def preamble() -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


async def test_the_key_is_checked_before_a_byte_of_the_body(served: Served) -> None:
    missing = await exchange(served.server, upload_head(None, 10**9))
    assert missing.startswith(b"HTTP/1.1 401")
    assert b'"missing API key"' in missing
    wrong = await exchange(served.server, upload_head(RD, 10**9))
    assert wrong.startswith(b"HTTP/1.1 403")
    assert served.files.operations("create") == []


async def test_a_declared_length_over_the_limit_is_refused_before_reading(
    served: Served,
) -> None:
    refused = await exchange(served.server, upload_head(UP, MAX_FILE_BYTES + 10**6))
    assert refused.startswith(b"HTTP/1.1 413")
    assert b'"file too large"' in refused
    assert served.files.operations("create") == []


async def test_a_client_that_disconnects_mid_upload_leaves_nothing(served: Served) -> None:
    written = signal_on(served.files, "write")
    removed = signal_done(served.files, "unlink", path_contains="upload-")
    reader, writer = await asyncio.open_connection("127.0.0.1", served.server.port)
    writer.write(upload_head(UP, 4 * 1024 * 1024) + preamble() + b"a" * 300_000)
    await writer.drain()
    await reached(written)
    writer.close()
    await writer.wait_closed()
    await reached(removed)
    assert sorted((served.root / "tmp").iterdir()) == []
    assert [path for path in served.root.iterdir() if path.name != "tmp"] == []
    del reader


async def test_a_client_that_disconnects_mid_download_closes_the_file(served: Served) -> None:
    content = b"d" * (4 * 1024 * 1024)
    body = preamble() + content + f"\r\n--{BOUNDARY}--\r\n".encode()
    created = await exchange(served.server, upload_head(UP, len(body)) + body)
    assert created.startswith(b"HTTP/1.1 201")
    file_id = created.split(b'"file_id":"')[1][:64].decode()
    opened = signal_on(served.files, "open_read", path_contains=file_id)
    closed = signal_done(served.files, "close")
    reader, writer = await asyncio.open_connection("127.0.0.1", served.server.port)
    writer.write(f"GET /files/{file_id} HTTP/1.1\r\nHost: t\r\nX-API-Key: {RD}\r\n\r\n".encode())
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 200")
    await asyncio.wait_for(reader.readexactly(65536), 10)
    writer.close()
    await writer.wait_closed()
    await reached(opened)
    await reached(closed)
