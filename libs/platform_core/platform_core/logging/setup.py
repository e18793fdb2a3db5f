"""`configure_logging`: route every logger to one stdout handler, written off the event loop."""

import copy
import logging
import os
import queue
import socket
import sys
from logging.handlers import QueueHandler, QueueListener
from types import TracebackType
from typing import Literal, Self, TextIO

from platform_core.logging.formatters import (
    CONTEXT_ATTR,
    JsonFormatter,
    TextFormatter,
    capture_context,
)

LogFormat = Literal["json", "text"]

# Chatty third-party loggers kept at WARNING (their debug lines carry request payloads).
QUIET_LOGGERS = ("httpx", "httpcore", "hpack", "h2")


def default_instance() -> str:
    """`<short hostname>-<pid>`: tells replicas of one service apart."""
    return f"{socket.gethostname().split('.')[0]}-{os.getpid()}"


class _ContextQueueHandler(QueueHandler):
    """Captures what belongs to the emitting code before the record crosses threads.

    The message is merged with its arguments, the traceback is formatted to text, and
    the current request and job ids are attached; the listener thread only writes.
    """

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        prepared = copy.copy(record)
        prepared.msg = record.getMessage()
        prepared.args = None
        if record.exc_info is not None:
            prepared.exc_text = logging.Formatter().formatException(record.exc_info)
        prepared.exc_info = None
        setattr(prepared, CONTEXT_ATTR, capture_context())
        return prepared


class LoggingHandle:
    """The installed logging; `close()` flushes every pending line and uninstalls it."""

    def __init__(self, handler: QueueHandler, listener: QueueListener) -> None:
        self._handler = handler
        self._listener = listener
        self._closed = False

    def close(self) -> None:
        """Write out what is queued, stop the writer thread, remove the handler."""
        if self._closed:
            return
        self._closed = True
        logging.getLogger().removeHandler(self._handler)
        self._listener.stop()

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
    writer = logging.StreamHandler(stream if stream is not None else sys.stdout)
    writer.setFormatter(formatter)
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    handler = _ContextQueueHandler(records)
    listener = QueueListener(records, writer, respect_handler_level=False)
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    listener.start()
    return LoggingHandle(handler, listener)
