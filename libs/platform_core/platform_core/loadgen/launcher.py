"""A server binary in a child process, for benchmarks and end-to-end tests.

    port = free_port()
    env = inherited_env({"HOST": LOOPBACK, "PORT": str(port)})
    async with child_server(python_module("qr_api.server"), port=port, env=env) as server:
        ...  # server.port, server.pid, server.cpu_seconds(), server.peak_rss_bytes()

The child gets `env` as its whole environment, stdin from /dev/null, and its stdout and
stderr go to a temporary file (`output()`, quoted in a start error). `child_server`
returns once the port accepts TCP connections (a server on the platform kit listens
only after its startup completed) and at the end of the block stops the child with
SIGTERM, its graceful shutdown, and waits for it to exit.

`free_port` asks the kernel for a port that is free at that moment; the child binds it a
moment later, so on a busy machine another process could take it first (the child then
fails to start and says why).
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import IO

from platform_core.loadgen import proc

LOOPBACK = "127.0.0.1"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
POLL_S = 0.02
CONNECT_TIMEOUT_S = 1.0
OUTPUT_TAIL_CHARS = 4000


class ServerStartError(RuntimeError):
    """The child exited, or did not accept connections in time (its output is quoted)."""


class ServerStopError(RuntimeError):
    """The child did not exit in time after SIGTERM (it was killed)."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port of `host` that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def import_path() -> str:
    """This process's import path, as a `PYTHONPATH` value (Bazel's runfiles included)."""
    return os.pathsep.join(entry for entry in sys.path if entry)


def python_module(module: str, *args: str) -> list[str]:
    """The command that runs `python -m module *args` with this process's interpreter."""
    return [sys.executable, "-m", module, *args]


def inherited_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment and import path, with `extra` on top."""
    return {**os.environ, "PYTHONPATH": import_path(), **extra}


class ChildServer:
    """A started child server: where it listens, its process, and how to stop it."""

    def __init__(
        self,
        process: asyncio.subprocess.Process,
        output: IO[bytes],
        *,
        command: Sequence[str],
        host: str,
        port: int,
    ) -> None:
        self.host = host
        self.port = port
        self.name = " ".join(command)
        self._process = process
        self._output = output

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        """The child's exit status once it exited (negative: the signal that ended it)."""
        return self._process.returncode

    def cpu_seconds(self) -> float:
        """The CPU time the child has used so far (`proc.cpu_seconds`)."""
        return proc.cpu_seconds(self.pid)

    def peak_rss_bytes(self) -> int:
        """The child's peak resident memory so far (`proc.peak_rss_bytes`)."""
        return proc.peak_rss_bytes(self.pid)

    def output(self) -> str:
        """Everything the child wrote to stdout and stderr so far."""
        fd = self._output.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")

    async def wait_accepting(self, timeout_s: float) -> None:
        """Return once the port accepts connections; `ServerStartError` if the child
        exits first or `timeout_s` passes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        exited = asyncio.create_task(self._process.wait())
        try:
            while not self._accepts():
                left = deadline - loop.time()
                if left <= 0:
                    raise ServerStartError(
                        f"{self.name} did not accept connections on {self.host}:{self.port} "
                        f"within {timeout_s} s:\n{self._tail()}"
                    )
                done, _ = await asyncio.wait({exited}, timeout=min(POLL_S, left))
                if done:
                    raise ServerStartError(
                        f"{self.name} exited with {self.returncode} before accepting "
                        f"connections:\n{self._tail()}"
                    )
        finally:
            exited.cancel()

    async def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> int:
        """SIGTERM, then the exit status; `ServerStopError` (after SIGKILL) if the child
        is still running after `timeout_s`."""
        if self._process.returncode is None:
            self._process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(timeout_s):
                return await self._process.wait()
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
            raise ServerStopError(
                f"{self.name} did not exit within {timeout_s} s of SIGTERM (killed)"
            ) from None

    def _accepts(self) -> bool:
        # A blocking connect: on loopback the kernel answers at once (refused, or accepted
        # into the listen backlog). Not asyncio: CPython 3.11 loses the line tracing of
        # the awaiting frames when a refused connect is thrown into a coroutine.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.socket(family) as sock:
            sock.settimeout(CONNECT_TIMEOUT_S)
            return sock.connect_ex((self.host, self.port)) == 0

    def _tail(self) -> str:
        return self.output()[-OUTPUT_TAIL_CHARS:]


@asynccontextmanager
async def child_server(
    command: Sequence[str],
    *,
    port: int,
    env: Mapping[str, str],
    host: str = LOOPBACK,
    ready_timeout_s: float = READY_TIMEOUT_S,
    stop_timeout_s: float = STOP_TIMEOUT_S,
) -> AsyncIterator[ChildServer]:
    """Run `command` with `env` until the block ends; it must listen on `host:port`."""
    with tempfile.TemporaryFile() as output:
        process = await asyncio.create_subprocess_exec(
            *command,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        server = ChildServer(process, output, command=command, host=host, port=port)
        try:
            await server.wait_accepting(ready_timeout_s)
            yield server
        finally:
            if process.returncode is None:
                await server.stop(stop_timeout_s)
