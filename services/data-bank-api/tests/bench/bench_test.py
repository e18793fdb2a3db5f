"""The benchmark: a tiny full run, and its error paths against the real server binary."""

import hashlib
import runpy
from pathlib import Path

import pytest

import data_bank_bench.main
from data_bank_bench.figures import (
    HttpError,
    delete_file,
    download_file,
    make_file,
    mb_per_s,
    plain_copy,
    small_files,
    upload_file,
)
from data_bank_bench.main import Figures, main
from data_bank_bench.multipart import small_body, uploaded_id
from platform_core.loadgen import ChildServer

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


async def test_refusals_raise(server: ChildServer, tmp_path: Path) -> None:
    source = tmp_path / "source"
    make_file(source, 1000)
    with pytest.raises(HttpError, match="upload answered 403"):
        await upload_file(server.port, READ_KEY, source)
    with pytest.raises(HttpError, match="download answered 404"):
        await download_file(server.port, READ_KEY, "0" * 64)
    with pytest.raises(HttpError, match="delete answered 403"):
        await delete_file(server.port, READ_KEY, "0" * 64)
    for key, refused in [(READ_KEY, "small upload answered 403"), (UPLOAD_KEY, "small download")]:
        with pytest.raises(ExceptionGroup) as caught:
            await small_files(server.port, key, connections=1, per_connection=1, size=10)
        [error] = caught.value.exceptions
        assert isinstance(error, HttpError)
        assert refused in str(error)


def test_small_bodies_differ() -> None:
    assert small_body(0, 1, 10) != small_body(1, 0, 10)
    assert b"0:1:0:1:0:" in small_body(0, 1, 10)
    assert uploaded_id(b'{"file_id":"' + b"a" * 64 + b'","size":1}') == "a" * 64


def test_runs_as_a_script(monkeypatch: pytest.MonkeyPatch) -> None:
    assert data_bank_bench.main.__file__ is not None
    monkeypatch.setattr("sys.argv", ["benchmark", "--size-mib", "many"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(data_bank_bench.main.__file__, run_name="__main__")
    assert exited.value.code == 2
