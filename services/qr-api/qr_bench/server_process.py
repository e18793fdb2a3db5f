"""The qr-api server in a child process, on a loopback port, for the benchmark.

The child runs `python -m qr_api.server` with this process's interpreter and import
path (Bazel's `PYTHONPATH`), configured only through the environment, as in production.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from types import TracebackType
from typing import IO

from qr_bench.http1 import Http1Connection

HOST = "127.0.0.1"
POLL_INTERVAL_S = 0.05


class ServerStartError(RuntimeError):
    """The server exited or did not become ready in time."""


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def accepting(port: int) -> bool:
    """Whether something listens on the loopback `port` (a loopback connect never waits)."""
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


class ServerProcess:
    """`with ServerProcess(env) as server:` the server runs at `server.port` until exit."""

    def __init__(self, env: Mapping[str, str], log: IO[bytes] | None = None) -> None:
        self.port = free_port()
        self._env = {**os.environ, **env, "HOST": HOST, "PORT": str(self.port)}
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "ServerProcess":
        self._process = subprocess.Popen(
            [sys.executable, "-m", "qr_api.server"],
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=self._log or subprocess.DEVNULL,
            stderr=self._log or subprocess.DEVNULL,
        )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def process(self) -> "subprocess.Popen[bytes]":
        """The child process (started by `with`)."""
        if self._process is None:
            raise ServerStartError("the server process was not started")
        return self._process

    async def wait_ready(self, timeout_s: float) -> None:
        """Return once `/readyz` answers 200; raise if the child exits or time runs out."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerStartError(f"qr_api.server exited with {self.process.returncode}")
            if await self._ready():
                return
            await asyncio.sleep(POLL_INTERVAL_S)
        raise ServerStartError(f"qr_api.server was not ready within {timeout_s} s")

    async def _ready(self) -> bool:
        if not accepting(self.port):
            return False
        async with Http1Connection(HOST, self.port) as conn:
            response = await conn.request("GET", "/readyz")
        return response.status == 200

    def stop(self, timeout_s: float = 30.0) -> int:
        """SIGTERM (graceful shutdown), then wait for the exit status."""
        process = self.process
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        return process.wait(timeout=timeout_s)
