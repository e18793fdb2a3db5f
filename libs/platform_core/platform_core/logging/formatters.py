"""The two line formats: JSON (one object per line) and text (for a terminal)."""

import json
import logging
import time
from dataclasses import dataclass

from platform_core.logging.context import JOB_ID, REQUEST_ID
from platform_core.logging.fields import FIELDS_ATTR, LogValue, fields_of

CONTEXT_ATTR = "platform_context"


@dataclass(frozen=True, slots=True)
class RecordContext:
    """The ids current when a record was made (captured before it crosses threads)."""

    request_id: str | None
    job_id: str | None


def capture_context() -> RecordContext:
    """The ids of the running request and job."""
    return RecordContext(REQUEST_ID.get(), JOB_ID.get())


def context_of(record: logging.LogRecord) -> RecordContext:
    """The ids attached to `record`, or the current ones when none were attached."""
    attached: object = getattr(record, CONTEXT_ATTR, None)
    if isinstance(attached, RecordContext):
        return attached
    return capture_context()


def utc_timestamp(created: float, sep: str = "T", zone: str = "Z") -> str:
    """`2025-01-31T12:00:00.123Z`: UTC with milliseconds."""
    seconds = int(created)
    millis = int((created - seconds) * 1000)
    return time.strftime(f"%Y-%m-%d{sep}%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}{zone}"


def _exception_text(formatter: logging.Formatter, record: logging.LogRecord) -> str | None:
    if record.exc_info is not None:
        return formatter.formatException(record.exc_info)
    return record.exc_text or None


def _fields(record: logging.LogRecord) -> dict[str, LogValue]:
    attached: object = getattr(record, FIELDS_ATTR, None)
    return dict(fields_of(attached))


class JsonFormatter(logging.Formatter):
    """One compact JSON object per record, with the service's static fields."""

    def __init__(self, *, service: str, instance: str) -> None:
        super().__init__()
        self._service = service
        self._instance = instance

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line for `record` (no trailing newline)."""
        context = context_of(record)
        line: dict[str, LogValue] = {
            "timestamp": utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self._service,
            "instance": self._instance,
        }
        if context.request_id is not None:
            line["request_id"] = context.request_id
        if context.job_id is not None:
            line["job_id"] = context.job_id
        line.update(_fields(record))
        exception = _exception_text(self, record)
        if exception is not None:
            line["exc_info"] = exception
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    """`2025-01-31 12:00:00.123 INFO qr_api.routes rendered size=512 request_id=...`."""

    def format(self, record: logging.LogRecord) -> str:
        """The text line for `record` (a traceback follows on the next lines)."""
        context = context_of(record)
        pairs = dict(_fields(record))
        if context.request_id is not None:
            pairs["request_id"] = context.request_id
        if context.job_id is not None:
            pairs["job_id"] = context.job_id
        parts = [
            utc_timestamp(record.created, sep=" ", zone=""),
            f"{record.levelname:<7}",
            record.name,
            record.getMessage(),
            *(f"{key}={value}" for key, value in pairs.items()),
        ]
        text = " ".join(parts)
        exception = _exception_text(self, record)
        if exception is not None:
            text = f"{text}\n{exception}"
        return text
