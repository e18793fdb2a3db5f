"""Server binaries in child processes: started, ready once they accept, stopped by SIGTERM."""

import signal
import sys
from collections.abc import Callable

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

# A listener that never accepts a connection (the kernel does, into the listen backlog);
# argv[1]: the port.
LISTENER = (
    "import signal, socket, sys\n"
    "listener = socket.create_server(('127.0.0.1', int(sys.argv[1])))\n"
    "print('listening', flush=True)\n"
    "signal.pause()\n"
)
# The same, ignoring SIGTERM.
STUBBORN = "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n" + LISTENER
# A listener that closes every connection it accepts without a word.
SLAMMER = (
    "import socket, sys\n"
    "listener = socket.create_server(('127.0.0.1', int(sys.argv[1])))\n"
    "while True:\n"
    "    listener.accept()[0].close()\n"
)


def slammer(port: int) -> list[str]:
    """`SLAMMER` on the loopback `port`."""
    return [sys.executable, "-c", SLAMMER, str(port)]


def http_server(port: int) -> list[str]:
    """Python's own HTTP server on the loopback `port` (GET / lists a folder: 200)."""
    return python_module("http.server", str(port), "--bind", LOOPBACK)


async def test_a_server_binary_from_start_to_stop() -> None:
    port = free_port()
    env = inherited_env({"X": "1"})
    async with child_server(http_server(port), port=port, env=env, ready_path="/") as server:
        assert (server.host, server.port, server.returncode) == (LOOPBACK, port, None)
        async with Http1Connection(LOOPBACK, port) as conn:
            response = await conn.request("GET", "/")
        assert response.status == 200
        assert server.cpu_seconds() >= 0
        assert server.peak_rss_bytes() > 1024 * 1024
        assert server.output().count("GET / HTTP/1.1") == 2  # the readiness check, ours
        assert await server.stop() == -signal.SIGTERM
        assert await server.stop() == -signal.SIGTERM  # already stopped: the same status
    assert server.returncode == -signal.SIGTERM
    assert server.name.endswith(f"-m http.server {port} --bind 127.0.0.1")


async def test_stopped_at_the_end_of_the_block() -> None:
    port = free_port()
    async with child_server(
        http_server(port), port=port, env=inherited_env({}), ready_path=None
    ) as server:
        pass
    assert server.returncode == -signal.SIGTERM


async def test_a_server_that_exits_before_listening() -> None:
    command = [sys.executable, "-c", "import sys; print('bad config'); sys.exit(3)"]
    with pytest.raises(ServerStartError, match=r"(?s)exited with 3 before accepting.*bad config"):
        async with child_server(command, port=free_port(), env={}, ready_path="/"):
            pytest.fail("started")


async def test_a_server_that_never_listens() -> None:
    command = [sys.executable, "-c", "import signal; signal.pause()"]
    port = free_port()
    with pytest.raises(ServerStartError, match=f"accept connections on 127.0.0.1:{port} within"):
        async with child_server(command, port=port, env={}, ready_path="/", ready_timeout_s=0.3):
            pytest.fail("started")


async def test_a_server_that_ignores_sigterm_is_killed() -> None:
    port = free_port()
    command = [sys.executable, "-c", STUBBORN, str(port)]
    with pytest.raises(ServerStopError, match=r"did not exit within 0\.2 s of SIGTERM"):
        async with child_server(
            command, port=port, env={}, ready_path=None, stop_timeout_s=0.2
        ) as server:
            pass
    assert server.returncode == -signal.SIGKILL


async def test_accepting_is_not_answering() -> None:
    port = free_port()
    command = [sys.executable, "-c", LISTENER, str(port)]
    with pytest.raises(ServerStartError, match=r"(?s)did not answer GET /ready within 0\.5 s.*lis"):
        async with child_server(
            command, port=port, env={}, ready_path="/ready", ready_timeout_s=0.5
        ):
            pytest.fail("ready")


@pytest.mark.parametrize(
    ("command", "path", "gave"),
    [
        (http_server, "/missing", "gave 404"),
        # The slammer's close reaches the client as an EOF or, when the request was
        # already on the wire, as a reset: both are "not ready".
        (slammer, "/", "gave (HttpProtocolError|ConnectionResetError)"),
    ],
)
async def test_a_failed_readiness_check(
    command: Callable[[int], list[str]], path: str, gave: str
) -> None:
    port = free_port()
    with pytest.raises(ServerStartError, match=f"is not ready: GET {path} {gave}"):
        async with child_server(command(port), port=port, env=inherited_env({}), ready_path=path):
            pytest.fail("ready")


def test_the_import_path_reaches_the_children() -> None:
    assert inherited_env({"PYTHONPATH": "mine"})["PYTHONPATH"] == "mine"
    assert inherited_env({})["PYTHONPATH"] == import_path()
    assert all(entry in sys.path for entry in import_path().split(":"))
