"""The child-process harness, on the real data-bank-api binary and small Python children."""

import sys
from pathlib import Path

import pytest

from turkic_api_testing.processes import (
    DATA_BANK_SERVER,
    ChildProcess,
    ProcessError,
    ServerProcess,
    data_bank_command,
    log_message,
    logged,
    module_env,
    python_module,
)
from turkic_api_testing.settings import BANK_KEY, settings_for


def test_the_data_bank_server_starts_and_stops(tmp_path: Path) -> None:
    env = {"REDIS_URL": "redis://127.0.0.1:1/0", "API_UPLOAD_KEYS": "k", "DATA_ROOT": str(tmp_path)}
    with ServerProcess(data_bank_command(), env) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.wait_for(logged("listening"))
        assert server.stop() == 0
        assert "listening" in server.output()


def test_a_server_that_cannot_start_raises_with_its_output() -> None:
    with pytest.raises(ProcessError, match="exited"):
        ServerProcess(python_module("turkic_api.server"), module_env({"REDIS_URL": "x"}))


def test_waiting_for_a_line_that_never_comes_times_out() -> None:
    command = [sys.executable, "-c", "import time; print('hi', flush=True); time.sleep(30)"]
    with ChildProcess(command, {}) as child:
        assert child.wait_for(lambda line: line == "hi") == "hi"
        with pytest.raises(ProcessError, match=r"printed nothing matching in 0\.2 s"):
            child.wait_for(lambda line: line == "never", timeout_s=0.2)
    # leaving the block killed it


def test_stopping_a_child_that_already_exited() -> None:
    with ChildProcess([sys.executable, "-c", "print('bye')"], {}) as child:
        child.wait_for(lambda line: line == "bye")
        with pytest.raises(ProcessError, match="exited"):
            child.wait_for(lambda _: False)
        assert child.stop() == 0
        assert child.stop() == 0


def test_log_lines_are_parsed_when_they_are_json() -> None:
    assert log_message("plain") is None
    assert log_message("{broken") is None
    parsed = log_message('{"message": "listening", "port": 5}')
    assert parsed is not None
    assert (parsed.message, parsed.port) == ("listening", 5)
    assert not logged("x")("plain")


def test_the_data_bank_binary_must_be_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATA_BANK_SERVER)
    with pytest.raises(ProcessError, match="is not set"):
        data_bank_command()


def test_settings_point_where_asked(tmp_path: Path) -> None:
    settings = settings_for(
        redis_url="redis://127.0.0.1:1/0",
        bank_url="http://bank",
        dumps_url="http://dumps",
        datasets_root=tmp_path,
        data_dir=tmp_path,
        key=BANK_KEY,
    )
    assert settings.data_bank_url == "http://bank"
    assert settings.turkic_oscar_dataset == str(tmp_path)
