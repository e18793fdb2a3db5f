"""Run logs: one JSON object per line in `<artifacts>/runs/<run_id>/logs.jsonl`.

The worker appends a line per event of a run (started, config, each step, each epoch's
validation, completed or failed); the API serves the tail and follows the file while
the run lasts (the original served a file nothing wrote).
"""

import json
from pathlib import Path
from typing import TextIO

from pydantic import JsonValue

LOG_FILE = "logs.jsonl"


def log_path(run_dir: Path) -> Path:
    """The log file of the run in `run_dir`."""
    return run_dir / LOG_FILE


class RunLog:
    """Appends JSON lines to a run's log file (opened on first write, flushed per line)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: TextIO | None = None

    def write(self, event: str, fields: dict[str, JsonValue]) -> None:
        """Append `{"event": event, **fields}`."""
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        record: dict[str, JsonValue] = {"event": event, **fields}
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        if self._file is not None:
            self._file.close()
            self._file = None


def tail_lines(path: Path, count: int) -> tuple[list[str], int]:
    """The last `count` complete lines of `path` and the offset after the last of them."""
    lines, offset = read_new_lines(path, 0)
    return lines[-count:], offset


def read_new_lines(path: Path, offset: int) -> tuple[list[str], int]:
    """The complete lines after byte `offset`, and the offset after the last of them."""
    with path.open("rb") as file:
        file.seek(offset)
        data = file.read()
    end = data.rfind(b"\n") + 1
    lines = data[:end].decode("utf-8").splitlines()
    return lines, offset + end
