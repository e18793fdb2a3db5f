"""Streaming multipart/form-data into the store."""

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from data_bank_api.engine import Committed
from data_bank_api.multipart_upload import UploadRejectedError, boundary_of, receive_multipart
from data_bank_api.storage import Storage
from data_bank_api.storage_errors import FileTooLargeError

BOUNDARY = "----boundary1234"
CONTENT = bytes(range(256)) * 300


def part(name: str, data: bytes, headers: str = "", filename: str | None = "x.bin") -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n{headers}\r\n"
    return head.encode() + data + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


async def chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def receive(storage: Storage, data: bytes, size: int = 1000) -> Committed:
    async with storage.upload() as upload:
        return await receive_multipart(chunks(data, size), BOUNDARY.encode(), upload)


def tmp_names(root: Path) -> list[str]:
    return sorted(path.name for path in (root / "tmp").iterdir())


@pytest.mark.parametrize("size", [1, 7, 1000, 1 << 20])
async def test_the_file_part_is_stored_whatever_the_chunking(storage: Storage, size: int) -> None:
    data = body(part("file", CONTENT, "Content-Type: image/png\r\n"))
    committed = await receive(storage, data, size)
    assert committed.file.file_id == hashlib.sha256(CONTENT).hexdigest()
    assert committed.file.size == len(CONTENT)
    assert committed.file.content_type == "image/png"


async def test_default_content_type_and_other_fields(storage: Storage) -> None:
    data = body(
        part("note", b"ignored", filename=None),
        part("file", b"hello"),
        part("after", b"also ignored", filename=None),
    )
    committed = await receive(storage, data)
    assert committed.file.content_type == "application/octet-stream"
    assert committed.file.size == 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (body(part("other", b"x")), "missing file part"),
        (body(), "missing file part"),
        (body(part("file", b"a"), part("file", b"b")), "more than one file part"),
        (body(part("file", b"a", "Content-Type: nonsense\r\n")), "invalid Content-Type"),
        (
            f"--{BOUNDARY}\r\nContent-Disposition: attachment\r\n\r\nx\r\n"
            f"--{BOUNDARY}--\r\n".encode(),
            "without Content-Disposition: form-data",
        ),
        (f"--{BOUNDARY}\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(), "without Content-Disposition"),
        (part("file", b"abc"), "ended before its closing boundary"),
        (b"", "ended before its closing boundary"),
        (b"garbage that is not multipart", "malformed multipart body"),
    ],
)
async def test_rejected_bodies_leave_nothing(
    storage: Storage, data_root: Path, data: bytes, message: str
) -> None:
    with pytest.raises(UploadRejectedError, match=message) as rejected:
        await receive(storage, data)
    assert rejected.value.status == 400
    assert tmp_names(data_root) == []


async def test_the_size_limit_applies_to_the_file_part(storage: Storage, data_root: Path) -> None:
    data = body(part("file", b"x" * (1024 * 1024 + 1)))
    with pytest.raises(FileTooLargeError):
        await receive(storage, data, 65536)
    assert tmp_names(data_root) == []


@pytest.mark.parametrize(
    "header",
    [
        "multipart/form-data; boundary=abc",
        'Multipart/Form-Data; boundary="abc"',
    ],
)
def test_boundary_of(header: str) -> None:
    assert boundary_of(header) == b"abc"


@pytest.mark.parametrize(
    ("header", "status", "message"),
    [
        (None, 415, "expected Content-Type multipart/form-data"),
        ("application/json", 415, "expected Content-Type multipart/form-data"),
        ("multipart/form-data", 400, "has no boundary"),
        ("multipart/form-data; boundary=", 400, "has no boundary"),
    ],
)
def test_boundary_of_refuses(header: str | None, status: int, message: str) -> None:
    with pytest.raises(UploadRejectedError, match=message) as rejected:
        boundary_of(header)
    assert rejected.value.status == status
