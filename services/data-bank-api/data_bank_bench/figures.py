"""The measurements: a plain copy, a large upload and download, small files in parallel.

The large transfers stream: the upload's content goes out with `sendfile` and the
download is counted, never kept (`platform_core.loadgen.Http1Connection`), so the client
costs little CPU on the machine it shares with the server.
"""

import hashlib
import os
import time
from pathlib import Path
from typing import BinaryIO

from data_bank_bench.multipart import CONTENT_TYPE, multipart_parts, small_body, uploaded_id
from platform_core.blocking import run_blocking
from platform_core.loadgen import LOOPBACK, ForCount, Http1Connection, run_load

MIB = 1024 * 1024
HOST = LOOPBACK


class HttpError(Exception):
    """The server answered something the benchmark did not expect."""


def make_file(path: Path, size: int) -> str:
    """Write `size` bytes of incompressible data (a random MiB, numbered per MiB); its SHA-256."""
    block = bytearray(os.urandom(MIB))
    digest = hashlib.sha256()
    with path.open("wb") as out:
        written = 0
        number = 0
        while written < size:
            block[:8] = number.to_bytes(8, "big")
            chunk = bytes(block[: min(MIB, size - written)])
            out.write(chunk)
            digest.update(chunk)
            written += len(chunk)
            number += 1
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def plain_copy(source: Path, target: Path) -> float:
    """Copy with 1 MiB reads and writes, then fsync (what the server does); seconds taken."""
    started = time.perf_counter()
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(MIB):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return time.perf_counter() - started


def mb_per_s(size: int, seconds: float) -> float:
    """Throughput in MB/s (10^6 bytes), two decimals."""
    return round(size / 1e6 / seconds, 2)


def _open_for_reading(path: Path) -> BinaryIO:
    return path.open("rb")


async def upload_file(port: int, key: str, source: Path) -> tuple[float, str]:
    """Upload `source` as one multipart request; seconds taken and the file id."""
    size = os.stat(source).st_size
    before, after = multipart_parts()
    headers = [("x-api-key", key), ("content-type", CONTENT_TYPE)]
    length = len(before) + size + len(after)
    file = await run_blocking(_open_for_reading, source)
    try:
        async with Http1Connection(HOST, port) as conn:
            await conn.connect()
            started = time.perf_counter()
            await conn.send_head(
                "POST", "/files", headers=headers, content_length=length, body=before
            )
            await conn.send_file(file, size)
            await conn.send(after)
            head = await conn.read_head()
            body = await conn.read_body(head)
            seconds = time.perf_counter() - started
    finally:
        file.close()
    if head.status != 201:
        raise HttpError(f"upload answered {head.status}: {body!r}")
    return seconds, uploaded_id(body)


async def download_file(port: int, key: str, file_id: str) -> tuple[float, int]:
    """Download the file, counting its bytes; seconds taken and the size."""
    async with Http1Connection(HOST, port) as conn:
        await conn.connect()
        started = time.perf_counter()
        await conn.send_head("GET", f"/files/{file_id}", headers=[("x-api-key", key)])
        head = await conn.read_head()
        if head.status != 200:
            raise HttpError(f"download answered {head.status}")
        size = await conn.discard_body(head)
        return time.perf_counter() - started, size


async def delete_file(port: int, key: str, file_id: str) -> None:
    """Delete the file (so that the next round uploads it anew)."""
    async with Http1Connection(HOST, port) as conn:
        response = await conn.request("DELETE", f"/files/{file_id}", headers=[("x-api-key", key)])
    if response.status != 204:
        raise HttpError(f"delete answered {response.status}: {response.body!r}")


async def small_files(
    port: int, key: str, *, connections: int, per_connection: int, size: int
) -> tuple[float, float]:
    """Uploads, then downloads, of distinct `size`-byte files on `connections` keep-alive
    connections in parallel; the requests per second of each phase. A refused request
    ends the run (an `ExceptionGroup` of `HttpError`)."""
    ids: list[list[str]] = [[] for _ in range(connections)]
    form = [("x-api-key", key), ("content-type", CONTENT_TYPE)]
    read = [("x-api-key", key)]

    async def upload(conn: Http1Connection, connection: int, number: int) -> bool:
        body = small_body(connection, number, size)
        response = await conn.request("POST", "/files", headers=form, body=body)
        if response.status != 201:
            raise HttpError(f"small upload answered {response.status}: {response.body!r}")
        ids[connection].append(uploaded_id(response.body))
        return True

    async def download(conn: Http1Connection, connection: int, number: int) -> bool:
        response = await conn.request("GET", f"/files/{ids[connection][number]}", headers=read)
        if response.status != 200 or len(response.body) != size:
            raise HttpError(f"small download answered {response.status}")
        return True

    each_connection = ForCount(per_connection)
    uploads = await run_load(HOST, port, upload, connections=connections, limit=each_connection)
    downloads = await run_load(HOST, port, download, connections=connections, limit=each_connection)
    return uploads.requests_per_s, downloads.requests_per_s
