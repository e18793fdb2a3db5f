"""Child processes for end-to-end tests: the real data-bank-api server, our own binaries.

`DATA_BANK_SERVER` (set by the test target to the data-bank-api server binary in the
runfiles) is started as it is; our server and worker run as `python -m <module>` with
this interpreter and import path. Output lines are collected in a thread so a test can
wait for a JSON log line (`wait_for(logged("listening"))`) instead of sleeping.
"""

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError

WAIT_TIMEOUT_S = 60.0
DATA_BANK_SERVER = "DATA_BANK_SERVER"


class ProcessError(RuntimeError):
    """The child did not print what was expected in time (its output is in the message)."""


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


class ChildProcess:
    """`command` with `env` added to this process's environment; output kept in `lines`."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str]) -> None:
        self.name = command[-1]
        self.lines: list[str] = []
        self._changed = threading.Condition()
        read_end, write_end = os.pipe()
        self._process = subprocess.Popen(
            list(command),
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=write_end,
            stderr=subprocess.STDOUT,
        )
        os.close(write_end)
        self._output = os.fdopen(read_end, "rb")
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

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
        """The first line matching; `ProcessError` if the child exits or time runs out first."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: any(matches(line) for line in self.lines) or not self._reader.is_alive(),
                timeout_s,
            )
            for line in self.lines:
                if matches(line):
                    return line
            what = "exited" if found else f"printed nothing matching in {timeout_s} s"
        raise ProcessError(f"{self.name} {what}:\n{self.output()}")

    def stop(self, timeout_s: float = WAIT_TIMEOUT_S) -> int:
        """SIGTERM, then the exit status."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
        status = self._process.wait(timeout_s)
        self._reader.join(timeout_s)
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
            self._process.kill()
            self._process.wait(WAIT_TIMEOUT_S)


def python_module(module: str) -> list[str]:
    """`python -m module` with this interpreter (the import path goes in `module_env`)."""
    return [sys.executable, "-m", module]


def module_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` plus this process's import path."""
    return {"PYTHONPATH": os.pathsep.join(sys.path), **env}


class ServerProcess(ChildProcess):
    """A server on 127.0.0.1 (a free port), started and listening; `url` is its address."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str]) -> None:
        overrides = {"HOST": "127.0.0.1", "PORT": "0", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
        super().__init__(command, {**env, **overrides})
        try:
            line = self.wait_for(logged("listening"))
        except BaseException:
            self.__exit__(None, None, None)
            raise
        parsed = log_message(line)
        self.url = f"http://127.0.0.1:{0 if parsed is None else parsed.port}"


def data_bank_command() -> list[str]:
    """The data-bank-api server binary named by `DATA_BANK_SERVER`."""
    path = os.environ.get(DATA_BANK_SERVER)
    if not path:
        raise ProcessError(f"{DATA_BANK_SERVER} is not set (the test target sets it)")
    return [path]
