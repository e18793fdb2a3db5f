"""Server binaries in child processes: started, ready once they accept, stopped by SIGTERM."""

import signal
import sys

import pytest

from platform_core.loadgen import (
    LOOPBACK,
    Http1Connection,
    ServerStartError,
    ServerStopError,
    child_server,
    free_port,
    import_path,
    inherited_env,
    python_module,
)

# A listener that ignores SIGTERM (argv[1]: the port).
STUBBORN = (
    "import signal, socket, sys\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "listener = socket.create_server(('127.0.0.1', int(sys.argv[1])))\n"
    "print('listening', flush=True)\n"
    "signal.pause()\n"
)


async def test_a_server_binary_from_start_to_stop() -> None:
    port = free_port()
    command = python_module("http.server", str(port), "--bind", LOOPBACK)
    async with child_server(command, port=port, env=inherited_env({"X": "1"})) as server:
        assert (server.host, server.port, server.returncode) == (LOOPBACK, port, None)
        async with Http1Connection(LOOPBACK, port) as conn:
            response = await conn.request("GET", "/")
        assert response.status == 200
        assert server.cpu_seconds() >= 0
        assert server.peak_rss_bytes() > 1024 * 1024
        assert "GET / HTTP/1.1" in server.output()
        assert await server.stop() == -signal.SIGTERM
        assert await server.stop() == -signal.SIGTERM  # already stopped: the same status
    assert server.returncode == -signal.SIGTERM
    assert server.name.endswith(f"-m http.server {port} --bind 127.0.0.1")


async def test_stopped_at_the_end_of_the_block() -> None:
    port = free_port()
    command = python_module("http.server", str(port), "--bind", LOOPBACK)
    async with child_server(command, port=port, env=inherited_env({})) as server:
        pass
    assert server.returncode == -signal.SIGTERM


async def test_a_server_that_exits_before_listening() -> None:
    command = [sys.executable, "-c", "import sys; print('bad config'); sys.exit(3)"]
    with pytest.raises(ServerStartError, match=r"(?s)exited with 3 before accepting.*bad config"):
        async with child_server(command, port=free_port(), env={}):
            pytest.fail("started")


async def test_a_server_that_never_listens() -> None:
    command = [sys.executable, "-c", "import signal; signal.pause()"]
    port = free_port()
    with pytest.raises(ServerStartError, match=f"accept connections on 127.0.0.1:{port} within"):
        async with child_server(command, port=port, env={}, ready_timeout_s=0.3):
            pytest.fail("started")


async def test_a_server_that_ignores_sigterm_is_killed() -> None:
    port = free_port()
    command = [sys.executable, "-c", STUBBORN, str(port)]
    with pytest.raises(ServerStopError, match=r"did not exit within 0\.2 s of SIGTERM"):
        async with child_server(command, port=port, env={}, stop_timeout_s=0.2) as server:
            pass
    assert server.returncode == -signal.SIGKILL


def test_the_import_path_reaches_the_children() -> None:
    assert inherited_env({"PYTHONPATH": "mine"})["PYTHONPATH"] == "mine"
    assert inherited_env({})["PYTHONPATH"] == import_path()
    assert all(entry in sys.path for entry in import_path().split(":"))
