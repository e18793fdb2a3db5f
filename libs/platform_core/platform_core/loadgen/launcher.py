"""A server binary in a child process, for benchmarks and end-to-end tests.

    port = free_port()
    env = inherited_env({"HOST": LOOPBACK, "PORT": str(port)})
    command = python_module("orders_api.server")
    async with child_server(command, port=port, env=env, ready_path="/readyz") as server:
        ...  # server.port, server.pid, server.cpu_seconds(), server.peak_rss_bytes()

The child gets `env` as its whole environment, stdin from /dev/null, and its stdout and
stderr go to a temporary file (`output()`, quoted in a start error). `child_server`
returns once the child is ready and at the end of the block stops it with SIGTERM, its
graceful shutdown, and waits for it to exit. Ready: the port accepts TCP connections
and then, with a `ready_path`, `GET ready_path` answers 200. Accepting alone is not
ready for an HTTP server: a kit server binds its port before its startup runs, and the
kernel accepts connections that it answers only once the startup completed.

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
from http import HTTPStatus
from typing import IO

from platform_core.loadgen import proc
from platform_core.loadgen.http1 import Http1Connection, HttpProtocolError

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

    async def wait_ready(self, timeout_s: float, ready_path: str | None) -> None:
        """Return once the child is ready (see the module docstring); `ServerStartError`
        if it exits first, is not ready within `timeout_s`, or `GET ready_path` fails or
        answers another status."""
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
        if ready_path is not None:
            await self._wait_answering(ready_path, deadline - loop.time(), timeout_s)

    async def _wait_answering(self, path: str, left: float, timeout_s: float) -> None:
        # The GET runs in its own task and reports failures as values: an exception
        # thrown into the awaiting frames stops CPython 3.11's line tracing there.
        asking = asyncio.create_task(self._status_of(path))
        done, _ = await asyncio.wait({asking}, timeout=max(left, 0.0))
        if not done:
            asking.cancel()
            raise ServerStartError(
                f"{self.name} did not answer GET {path} within {timeout_s} s:\n{self._tail()}"
            )
        answer = asking.result()
        if answer != HTTPStatus.OK:
            raise ServerStartError(
                f"{self.name} is not ready: GET {path} gave {answer}:\n{self._tail()}"
            )

    async def _status_of(self, path: str) -> int | str:
        """The status `GET path` answers, or how the request failed."""
        try:
            async with Http1Connection(self.host, self.port) as conn:
                response = await conn.request("GET", path)
        except (HttpProtocolError, OSError) as exc:
            return f"{type(exc).__name__}: {exc}"
        return response.status

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
    ready_path: str | None,
    host: str = LOOPBACK,
    ready_timeout_s: float = READY_TIMEOUT_S,
    stop_timeout_s: float = STOP_TIMEOUT_S,
) -> AsyncIterator[ChildServer]:
    """Run `command` with `env` until the block ends; it must listen on `host:port` and,
    with a `ready_path`, answer `GET ready_path` with 200 (None: a server that does not
    speak HTTP, ready once it accepts connections)."""
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
            await server.wait_ready(ready_timeout_s, ready_path)
            yield server
        finally:
            if process.returncode is None:
                await server.stop(stop_timeout_s)
