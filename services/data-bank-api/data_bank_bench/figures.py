"""The measurements: a plain copy, a large upload and download, small files in parallel."""

import asyncio
import hashlib
import os
import time
from pathlib import Path

from data_bank_bench.raw_http import BOUNDARY, Connection, HttpError, multipart_parts, request_head

MIB = 1024 * 1024
HOST = "127.0.0.1"


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


async def upload_file(port: int, key: str, source: Path) -> tuple[float, str]:
    """Upload `source` as one multipart request; seconds taken and the file id."""
    size = os.stat(source).st_size
    before, after = multipart_parts()
    head = request_head(
        "POST",
        "/files",
        {
            "X-API-Key": key,
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(len(before) + size + len(after)),
        },
    )
    fd = os.open(source, os.O_RDONLY)
    try:
        async with await Connection.open(HOST, port) as conn:
            started = time.perf_counter()
            await conn.send(head + before)
            await conn.send_file(fd, size)
            await conn.send(after)
            response = await conn.read_head()
            body = await conn.read_body(response)
            seconds = time.perf_counter() - started
    finally:
        os.close(fd)
    if response.status != 201:
        raise HttpError(f"upload answered {response.status}: {body!r}")
    return seconds, body.split(b'"file_id":"')[1][:64].decode()


async def download_file(port: int, key: str, file_id: str) -> tuple[float, int]:
    """Download the file, counting its bytes; seconds taken and the size."""
    async with await Connection.open(HOST, port) as conn:
        started = time.perf_counter()
        await conn.send(request_head("GET", f"/files/{file_id}", {"X-API-Key": key}))
        response = await conn.read_head()
        if response.status != 200:
            raise HttpError(f"download answered {response.status}")
        size = await conn.discard_body(response)
        return time.perf_counter() - started, size


async def delete_file(port: int, key: str, file_id: str) -> None:
    """Delete the file (so that the next round uploads it anew)."""
    async with await Connection.open(HOST, port) as conn:
        head, body = await conn.call("DELETE", f"/files/{file_id}", {"X-API-Key": key})
    if head.status != 204:
        raise HttpError(f"delete answered {head.status}: {body!r}")


def small_body(connection: int, number: int, size: int) -> bytes:
    """A distinct `size`-byte multipart file body."""
    stamp = f"{connection}:{number}:".encode()
    content = (stamp * (size // len(stamp) + 1))[:size]
    before, after = multipart_parts()
    return before + content + after


async def small_files(
    port: int, key: str, *, connections: int, per_connection: int, size: int
) -> tuple[float, float]:
    """Uploads, then downloads, of distinct `size`-byte files on `connections` keep-alive
    connections in parallel; the requests per second of each phase."""
    form = {"X-API-Key": key, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    ids: list[list[str]] = [[] for _ in range(connections)]
    conns = [await Connection.open(HOST, port) for _ in range(connections)]

    async def uploads(index: int) -> None:
        for number in range(per_connection):
            head, body = await conns[index].call(
                "POST", "/files", form, small_body(index, number, size)
            )
            if head.status != 201:
                raise HttpError(f"small upload answered {head.status}: {body!r}")
            ids[index].append(body.split(b'"file_id":"')[1][:64].decode())

    async def downloads(index: int) -> None:
        for file_id in ids[index]:
            head, body = await conns[index].call("GET", f"/files/{file_id}", {"X-API-Key": key})
            if head.status != 200 or len(body) != size:
                raise HttpError(f"small download answered {head.status}")

    try:
        started = time.perf_counter()
        await asyncio.gather(*(uploads(i) for i in range(connections)))
        upload_s = time.perf_counter() - started
        started = time.perf_counter()
        await asyncio.gather(*(downloads(i) for i in range(connections)))
        download_s = time.perf_counter() - started
    finally:
        for conn in conns:
            await conn.__aexit__(None, None, None)
    total = connections * per_connection
    return round(total / upload_s, 1), round(total / download_s, 1)
