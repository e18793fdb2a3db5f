"""The benchmark: a tiny full run, and its client's error paths against the real server."""

import asyncio
import hashlib
import runpy
from pathlib import Path

import pytest

import data_bank_bench.main
from data_bank_bench.figures import (
    HOST,
    delete_file,
    download_file,
    make_file,
    mb_per_s,
    plain_copy,
    small_files,
    upload_file,
)
from data_bank_bench.main import Figures, main
from data_bank_bench.proc import cpu_seconds, peak_rss_bytes
from data_bank_bench.raw_http import Connection, HttpError
from data_bank_testing.processes import ServerProcess

UPLOAD_KEY, READ_KEY = "bench-up", "bench-read"


def test_a_small_run_prints_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--size-mib", "2", "--rounds", "2", "--connections", "3", "--per-connection", "2"]
    assert main([*argv, "--dir", str(tmp_path)]) == 0
    figures = Figures.model_validate_json(capsys.readouterr().out)
    assert figures.file_bytes == 2 * 1024 * 1024
    assert figures.stored_sha256_matches
    assert len(figures.samples_mb_s.upload) == 2
    assert figures.small_requests == 6
    assert figures.upload_mb_s > 0
    assert figures.server_peak_rss_within_budget
    assert list(tmp_path.iterdir()) == []


def test_files_and_copies(tmp_path: Path) -> None:
    source = tmp_path / "source"
    digest = make_file(source, 3 * 1024 * 1024 + 5)
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest
    assert plain_copy(source, tmp_path / "copy") > 0
    assert (tmp_path / "copy").read_bytes() == source.read_bytes()
    assert mb_per_s(2_000_000, 2.0) == 1.0


async def test_refusals_raise(server: ServerProcess, tmp_path: Path) -> None:
    source = tmp_path / "source"
    make_file(source, 1000)
    with pytest.raises(HttpError, match="upload answered 403"):
        await upload_file(server.port, READ_KEY, source)
    with pytest.raises(HttpError, match="download answered 404"):
        await download_file(server.port, READ_KEY, "0" * 64)
    with pytest.raises(HttpError, match="delete answered 403"):
        await delete_file(server.port, READ_KEY, "0" * 64)
    with pytest.raises(HttpError, match="small upload answered 403"):
        await small_files(server.port, READ_KEY, connections=1, per_connection=1, size=10)
    with pytest.raises(HttpError, match="small download answered 403"):
        await small_files(server.port, UPLOAD_KEY, connections=1, per_connection=1, size=10)
    assert peak_rss_bytes(server.pid) > 0
    assert cpu_seconds(server.pid) > 0


async def test_a_body_cut_short_raises() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nX-Odd\r\n\r\nonly ten b")
        await writer.drain()
        writer.close()

    listener = await asyncio.start_server(answer, HOST, 0)
    port: int = listener.sockets[0].getsockname()[1]
    async with listener, await Connection.open(HOST, port) as conn:
        await conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await conn.read_head()
        assert (head.status, head.length) == (200, 100)
        with pytest.raises(HttpError, match="closed with 90 bytes of the body unread"):
            await conn.discard_body(head)


def test_proc_without_peak_memory(tmp_path: Path) -> None:
    (tmp_path / "7").mkdir()
    (tmp_path / "7" / "status").write_text("Name:\tkthreadd\nState:\tS\n")
    with pytest.raises(ValueError, match="no VmHWM for process 7"):
        peak_rss_bytes(7, tmp_path)


def test_runs_as_a_script(monkeypatch: pytest.MonkeyPatch) -> None:
    assert data_bank_bench.main.__file__ is not None
    monkeypatch.setattr("sys.argv", ["benchmark", "--size-mib", "many"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(data_bank_bench.main.__file__, run_name="__main__")
    assert exited.value.code == 2
