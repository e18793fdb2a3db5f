"""Child processes for end-to-end tests: the real server and worker binaries.

`ChildProcess` runs `python -m <module>` with this interpreter and import path, merges
its stderr into stdout and collects the output lines in a background thread, so a test
can wait for a line (`wait_for`) instead of sleeping. `ServerProcess` waits for the
server's `listening` log line and knows its URL.
"""

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError

WAIT_TIMEOUT_S = 30.0


class ProcessError(RuntimeError):
    """The child did not print what was expected in time (its output is in the message)."""


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment and import path, plus `extra`."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **extra}


class ChildProcess:
    """`python -m module *args` with `env`; its output lines are kept in `lines`."""

    def __init__(self, module: str, env: Mapping[str, str], *args: str) -> None:
        self.module = module
        self.lines: list[str] = []
        self._changed = threading.Condition()
        read_end, write_end = os.pipe()
        self._process = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            env=child_env(env),
            stdin=subprocess.DEVNULL,
            stdout=write_end,
            stderr=subprocess.STDOUT,
        )
        os.close(write_end)
        self._output = os.fdopen(read_end, "rb")
        self._reader = threading.Thread(target=self._read, name=f"{module}-output", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._process.pid

    def _read(self) -> None:
        with self._output:
            for raw in self._output:
                with self._changed:
                    self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                    self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def output(self) -> str:
        """Everything the child printed so far."""
        with self._changed:
            return "\n".join(self.lines)

    def wait_for(self, matches: Callable[[str], bool], timeout_s: float = WAIT_TIMEOUT_S) -> str:
        """The first line (old or new) for which `matches` is true; `ProcessError` if the
        child exits or `timeout_s` passes first."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: any(matches(line) for line in self.lines) or not self._reader.is_alive(),
                timeout_s,
            )
            for line in self.lines:
                if matches(line):
                    return line
            what = "exited" if found else f"printed nothing matching in {timeout_s} s"
        raise ProcessError(f"{self.module} {what}:\n{self.output()}")

    def stop(self, timeout_s: float = WAIT_TIMEOUT_S) -> int:
        """SIGTERM, then the exit status."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
        status = self._process.wait(timeout_s)
        self._reader.join(timeout_s)
        return status

    def kill(self) -> int:
        """SIGKILL (a crash), then the exit status."""
        self._process.kill()
        status = self._process.wait(WAIT_TIMEOUT_S)
        self._reader.join(WAIT_TIMEOUT_S)
        return status

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process.poll() is None:
            self.kill()


class _LogLine(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message: str
    port: int = 0


def log_message(line: str) -> _LogLine | None:
    """A JSON log line's message (and port), or None for other output."""
    if not line.startswith("{"):
        return None
    try:
        return _LogLine.model_validate_json(line)
    except ValidationError:
        return None


def logged(message: str) -> Callable[[str], bool]:
    """Matches JSON log lines whose message is `message`."""

    def matches(line: str) -> bool:
        parsed = log_message(line)
        return parsed is not None and parsed.message == message

    return matches


class ServerProcess(ChildProcess):
    """A server binary on 127.0.0.1 (a free port), started and listening."""

    def __init__(
        self,
        env: Mapping[str, str],
        *args: str,
        module: str = "data_bank_api.server",
        timeout_s: float = WAIT_TIMEOUT_S,
    ) -> None:
        overrides = {"HOST": "127.0.0.1", "PORT": "0", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
        super().__init__(module, {**env, **overrides}, *args)
        try:
            line = self.wait_for(logged("listening"), timeout_s)
        except BaseException:
            self.kill()
            raise
        parsed = log_message(line)
        self.port = 0 if parsed is None else parsed.port
        self.url = f"http://127.0.0.1:{self.port}"
