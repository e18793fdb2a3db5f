"""Child processes: output lines, waiting on them, stopping and killing."""

from pathlib import Path

import pytest

from data_bank_testing.processes import (
    ChildProcess,
    ProcessError,
    ServerProcess,
    log_message,
    logged,
)


def server_env(redis_url: str, root: Path) -> dict[str, str]:
    return {"REDIS_URL": redis_url, "API_UPLOAD_KEYS": "k", "DATA_ROOT": str(root)}


def test_a_server_process_listens_and_stops(redis_url: str, tmp_path: Path) -> None:
    with ServerProcess(server_env(redis_url, tmp_path)) as server:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.pid > 0
        assert "listening" in server.output()
        with pytest.raises(ProcessError, match=r"printed nothing matching in 0\.2 s"):
            server.wait_for(lambda line: line == "never printed", timeout_s=0.2)
        assert server.stop() == 0
        assert server.stop() == 0  # already stopped
    assert logged("server stopped")(server.output().splitlines()[-1])


def test_a_process_that_exits_is_reported_with_its_output(tmp_path: Path) -> None:
    with (
        ChildProcess("data_bank_api.server", {"DATA_ROOT": str(tmp_path)}) as child,
        pytest.raises(ProcessError, match=r"exited:\n(.|\n)*API_UPLOAD_KEYS is required"),
    ):
        child.wait_for(logged("listening"))


def test_a_server_that_cannot_start_is_killed(tmp_path: Path) -> None:
    with pytest.raises(ProcessError, match="exited"):
        ServerProcess({"DATA_ROOT": str(tmp_path)})


def test_killing_a_running_process(redis_url: str, tmp_path: Path) -> None:
    with ServerProcess(server_env(redis_url, tmp_path)) as server:
        assert server.kill() == -9
    with ServerProcess(server_env(redis_url, tmp_path)):
        pass  # left running: the `with` kills it


def test_log_lines() -> None:
    parsed = log_message('{"message": "listening", "port": 5}')
    assert parsed is not None
    assert (parsed.message, parsed.port) == ("listening", 5)
    assert log_message("plain text") is None
    assert log_message("{not json") is None
    assert not logged("listening")("plain text")
    assert not logged("listening")('{"message": "other"}')
