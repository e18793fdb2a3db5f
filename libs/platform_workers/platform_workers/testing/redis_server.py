"""A private `redis-server` on a free loopback port, started and stopped by tests.

Tests run against a real Redis (Debian's `redis-server`), never a fake. Each
server keeps nothing on disk, binds 127.0.0.1 only, and is started under
`setpriv --pdeathsig KILL` so that it dies with the test process even when that
process is killed: no server outlives its test.
"""

import pathlib
import select
import shutil
import socket
import subprocess
import time
from types import TracebackType
from typing import Self

READY_TIMEOUT_S = 10.0
PORT_ATTEMPTS = 5
PROBE_TIMEOUT_MS = 200


class RedisServerError(RuntimeError):
    """The test Redis server could not be started or did not answer."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def encode_command(*args: str) -> bytes:
    """One Redis command in RESP2."""
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        raw = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(parts)


class RedisServer:
    """One redis-server process for tests; `url` is where clients connect.

    `start()` waits until the server answers PING. `stop()` shuts it down and
    `kill()` kills it with SIGKILL (to test outages); `start()` again brings it
    back on the same port, empty.
    """

    def __init__(
        self,
        workdir: pathlib.Path,
        *,
        port: int | None = None,
        binary: str = "redis-server",
        ready_timeout_s: float = READY_TIMEOUT_S,
    ) -> None:
        self._workdir = workdir
        self._port = port
        self._binary = binary
        self._ready_timeout_s = ready_timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._log = workdir / "redis.log"

    @property
    def port(self) -> int:
        """The TCP port, once started."""
        if self._port is None:
            raise RedisServerError("the server has not been started")
        return self._port

    @property
    def url(self) -> str:
        """`redis://127.0.0.1:<port>/0`."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server (on a fresh free port unless it has one) and wait for it."""
        if self.running:
            raise RedisServerError("the server is already running")
        binary = shutil.which(self._binary)
        if binary is None:
            raise RedisServerError(f"{self._binary} is not installed (Debian package redis-server)")
        attempts = 1 if self._port is not None else PORT_ATTEMPTS
        for _ in range(attempts):
            port = self._port if self._port is not None else free_port()
            if self._launch(binary, port):
                self._port = port
                return
        raise RedisServerError(f"redis-server did not start: {self._tail_log()}")

    def _launch(self, binary: str, port: int) -> bool:
        self._workdir.mkdir(parents=True, exist_ok=True)
        command = [
            "setpriv",
            "--pdeathsig",
            "KILL",
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self._workdir),
            "--logfile",
            str(self._log),
            "--daemonize",
            "no",
        ]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self._ready_timeout_s
        while time.monotonic() < deadline:
            if self._is_ours(port, process.pid):
                self._process = process
                return True
            try:
                process.wait(timeout=0.01)
            except subprocess.TimeoutExpired:
                continue
            return False
        process.kill()
        process.wait()
        return False

    @staticmethod
    def _is_ours(port: int, pid: int) -> bool:
        # Another process may hold the port we picked: the server must name our pid.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return False
            sock.sendall(encode_command("INFO", "server"))
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            if not poller.poll(PROBE_TIMEOUT_MS):
                return False
            return f"process_id:{pid}\r\n".encode() in sock.recv(65536)

    def _send(self, port: int, payload: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=self._ready_timeout_s) as conn:
            conn.sendall(payload)
            return conn.recv(65536)

    def command(self, *args: str) -> bytes:
        """Send one command and return the raw reply (for test setup and assertions)."""
        return self._send(self.port, encode_command(*args))

    def flush(self) -> None:
        """Delete every key (between tests)."""
        reply = self.command("FLUSHALL")
        if not reply.startswith(b"+OK"):
            raise RedisServerError(f"FLUSHALL failed: {reply!r}")

    def stop(self) -> None:
        """Shut the server down and wait for it to exit."""
        process = self._process
        if process is None:
            return
        self._process = None
        process.terminate()
        process.wait(timeout=READY_TIMEOUT_S)

    def kill(self) -> None:
        """Kill the server with SIGKILL (an abrupt outage)."""
        process = self._process
        if process is None:
            return
        self._process = None
        process.kill()
        process.wait(timeout=READY_TIMEOUT_S)

    def _tail_log(self) -> str:
        if not self._log.exists():
            return "no log written"
        return self._log.read_text(encoding="utf-8", errors="replace")[-2000:]

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
