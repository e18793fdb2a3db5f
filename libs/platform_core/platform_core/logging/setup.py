"""`configure_logging`: route every logger to one stdout handler, written off the event loop."""

import collections
import logging
import os
import re
import socket
import sys
import threading
from types import TracebackType
from typing import Literal, Self, TextIO

from platform_core.logging.formatters import (
    JsonFormatter,
    TextFormatter,
)

LogFormat = Literal["json", "text"]

# Chatty third-party loggers kept at WARNING (their debug lines carry request payloads).
QUIET_LOGGERS = ("httpx", "httpcore", "hpack", "h2")
FLUSH_INTERVAL_S = 0.05
HIGH_WATER = 1024


_SURROGATE = re.compile("[\ud800-\udfff]")


def writable(line: str) -> str:
    """`line`, its lone surrogates (undecodable bytes of a file name, say) as `\\udcff` text.

    A UTF-8 stream refuses to write them, which would stop the writer thread and lose
    every later line. In a JSON line the text is the JSON escape of the same character.
    """
    if line.isascii() or _SURROGATE.search(line) is None:
        return line
    return line.encode("utf-8", "backslashreplace").decode("utf-8")


def default_instance() -> str:
    """`<short hostname>-<pid>`: tells replicas of one service apart."""
    return f"{socket.gethostname().split('.')[0]}-{os.getpid()}"


class BatchingHandler(logging.Handler):
    """Writes log lines on a background thread, in batches.

    `emit` formats the record where it was made (so the current request and job ids
    are the emitting code's) and queues the line; the writer thread wakes every
    `FLUSH_INTERVAL_S` (sooner past `HIGH_WATER` queued lines) and writes the batch with
    one call. Logging therefore never blocks the event loop on a slow stdout, and costs
    no thread switch per line.
    """

    def __init__(self, stream: TextIO, formatter: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self._stream = stream
        self._pending: collections.deque[str] = collections.deque()
        self._wake = threading.Event()
        self._closing = False
        self._writing: list[str] = []  # the batch being written
        self._dead = False  # set, under the handler's lock, as the writer thread dies
        self._writer_failure = "the log writer stopped"
        self._writer = threading.Thread(target=self._run, name="platform-log-writer", daemon=True)
        self._writer.start()

    def emit(self, record: logging.LogRecord) -> None:
        """Format `record` (here, with the emitting code's ids) and queue the line.

        Once the writer thread has died (its stream's write raised: a closed or broken
        stdout), lines are no longer queued, where they would pile up unwritten: each
        is reported on stderr as not written instead, as are the lines the writer held
        when it died. (`logging` calls `emit` with the handler's lock held.)
        """
        line = writable(self.format(record))
        if self._dead:
            self._report_unwritten([line])
            return
        self._pending.append(line)
        if len(self._pending) >= HIGH_WATER:
            self._wake.set()

    def _report_unwritten(self, lines: list[str]) -> None:
        failure = self._writer_failure
        sys.stderr.write("".join(f"{failure}; not written: {line}\n" for line in lines))

    def _drain(self) -> None:
        while self._pending:
            self._writing.append(self._pending.popleft())
        if self._writing:
            self._stream.write("\n".join(self._writing) + "\n")
            self._stream.flush()
            self._writing.clear()

    def _run(self) -> None:
        try:
            while not self._closing:
                self._wake.wait(FLUSH_INTERVAL_S)
                self._wake.clear()
                self._drain()
            self._drain()
        except Exception as exc:
            self.acquire()  # no line is queued meanwhile: each one is reported once
            try:
                self._writer_failure = f"the log writer stopped: {type(exc).__name__}: {exc}"
                self._dead = True
                self._report_unwritten([*self._writing, *self._pending])
                self._pending.clear()
            finally:
                self.release()
            raise

    def close(self) -> None:
        """Write everything queued and stop the writer thread."""
        self._closing = True
        self._wake.set()
        self._writer.join()
        super().close()


class LoggingHandle:
    """The installed logging; `close()` flushes every pending line and uninstalls it."""

    def __init__(self, handler: BatchingHandler) -> None:
        self._handler = handler
        self._closed = False

    def close(self) -> None:
        """Write out what is queued, stop the writer thread, remove the handler."""
        if self._closed:
            return
        self._closed = True
        logging.getLogger().removeHandler(self._handler)
        self._handler.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def configure_logging(
    *,
    service: str,
    level: str = "INFO",
    fmt: LogFormat = "json",
    instance: str | None = None,
    stream: TextIO | None = None,
) -> LoggingHandle:
    """Send every log record (root logger and below) to `stream` (default: stdout).

    Replaces the root logger's handlers; `level` is a standard level name. Call
    `close()` on the result at exit so that no line is lost.
    """
    numeric = logging.getLevelNamesMapping().get(level.upper())
    if numeric is None:
        raise ValueError(f"unknown log level {level!r}")
    formatter: logging.Formatter = (
        JsonFormatter(service=service, instance=instance or default_instance())
        if fmt == "json"
        else TextFormatter()
    )
    handler = BatchingHandler(stream if stream is not None else sys.stdout, formatter)
    # Records carry no thread or process names (no formatter here prints them).
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return LoggingHandle(handler)
