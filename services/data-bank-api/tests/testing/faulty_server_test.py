"""The fault-injecting server launcher."""

import errno
import runpy
import threading
from pathlib import Path

import pytest

import data_bank_testing.faulty_server
from data_bank_api.settings import DataBankSettings
from data_bank_testing.faults import FaultyFiles, FreeSpace
from data_bank_testing.faulty_server import STALLED, builder, collaborators, main, parse_args, stall


def test_no_options_is_the_real_machine() -> None:
    injected = collaborators(parse_args([]))
    assert isinstance(injected.files, FaultyFiles)
    assert injected.files.faults == []
    assert not isinstance(injected.free_space, FreeSpace)


def test_free_bytes_and_a_full_disk(tmp_path: Path) -> None:
    injected = collaborators(parse_args(["--free-bytes", "123", "--fail-write-after", "1"]))
    assert injected.free_space(tmp_path) == 123
    files = injected.files
    assert isinstance(files, FaultyFiles)
    fd = files.create(tmp_path / "f")
    files.write(fd, b"first write passes")
    with pytest.raises(OSError, match="No space left") as raised:
        files.write(fd, b"second fails")
    assert raised.value.errno == errno.ENOSPC
    files.close(fd)


def test_stall_before_commit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release = threading.Event()
    injected = collaborators(parse_args(["--stall-before-commit"]), release)
    files = injected.files
    (tmp_path / "x.blob").write_bytes(b"")
    release.set()
    files.rename(tmp_path / "x.blob", tmp_path / "x.bin")
    assert capsys.readouterr().out == STALLED + "\n"


def test_stall_waits_for_its_event(capsys: pytest.CaptureFixture[str]) -> None:
    until = threading.Event()
    thread = threading.Thread(target=stall(until))
    thread.start()
    assert not until.is_set()
    until.set()
    thread.join(10)
    assert not thread.is_alive()
    assert STALLED in capsys.readouterr().out


def test_builder_builds_the_app(tmp_path: Path) -> None:
    values: dict[str, object] = {
        "redis_url": "redis://127.0.0.1:1/0",
        "api_upload_keys": ("k",),
        "data_root": tmp_path,
    }
    settings = DataBankSettings.model_validate(values)
    assert builder(collaborators(parse_args([])))(settings).routes


def test_main_with_an_invalid_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("API_UPLOAD_KEYS", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert main([]) == 2
    assert "REDIS_URL is required" in capsys.readouterr().err
    path = data_bank_testing.faulty_server.__file__
    assert path is not None
    monkeypatch.setattr("sys.argv", ["faulty_server"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(path, run_name="__main__")
    assert exited.value.code == 2
