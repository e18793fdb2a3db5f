"""The two line formats: JSON (one object per line) and text (for a terminal).

Records are formatted where they are made (see `BatchingHandler`), so the request and
job ids on a line are those of the code that logged it.
"""

import json
import logging
import math
import time

from platform_core.logging.context import JOB_ID, REQUEST_ID
from platform_core.logging.fields import FIELDS_ATTR, LogValue, fields_of


class _SecondCache:
    """The formatted date and time of the last whole second seen (one per separator)."""

    def __init__(self, sep: str) -> None:
        self.pattern = f"%Y-%m-%d{sep}%H:%M:%S"
        self.second = -1
        self.text = ""

    def of(self, second: int) -> str:
        if second != self.second:
            self.text = time.strftime(self.pattern, time.gmtime(second))
            self.second = second
        return self.text


_ISO = _SecondCache("T")
_SPACED = _SecondCache(" ")
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def utc_timestamp(created: float, sep: str = "T", zone: str = "Z") -> str:
    """`2025-01-31T12:00:00.123Z`: UTC with milliseconds (`sep` "T" or " ")."""
    seconds = int(created)
    millis = int((created - seconds) * 1000)
    cache = _ISO if sep == "T" else _SPACED
    return f"{cache.of(seconds)}.{millis:03d}{zone}"


def _exception_text(formatter: logging.Formatter, record: logging.LogRecord) -> str | None:
    if record.exc_info is not None:
        return formatter.formatException(record.exc_info)
    return record.exc_text or None


def _fields(record: logging.LogRecord) -> dict[str, LogValue]:
    attached: object = getattr(record, FIELDS_ATTR, None)
    return dict(fields_of(attached))


_NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


def _json_value(value: LogValue) -> LogValue:
    """`value`, a NaN or infinity as the string `json.dumps` would write bare (not JSON)."""
    if isinstance(value, float) and not math.isfinite(value):
        return _NON_FINITE.get(value, "NaN")
    return value


class JsonFormatter(logging.Formatter):
    """One compact JSON object per record, with the service's static fields."""

    def __init__(self, *, service: str, instance: str) -> None:
        super().__init__()
        self._service = service
        self._instance = instance

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line for `record` (no trailing newline)."""
        request_id = REQUEST_ID.get()
        job_id = JOB_ID.get()
        line: dict[str, LogValue] = {
            "timestamp": utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self._service,
            "instance": self._instance,
        }
        if request_id is not None:
            line["request_id"] = request_id
        if job_id is not None:
            line["job_id"] = job_id
        line.update((key, _json_value(value)) for key, value in _fields(record).items())
        exception = _exception_text(self, record)
        if exception is not None:
            line["exc_info"] = exception
        return _ENCODER.encode(line)


class TextFormatter(logging.Formatter):
    """`2025-01-31 12:00:00.123 INFO orders_api.routes rendered size=512 request_id=...`."""

    def format(self, record: logging.LogRecord) -> str:
        """The text line for `record` (a traceback follows on the next lines)."""
        pairs = dict(_fields(record))
        request_id = REQUEST_ID.get()
        job_id = JOB_ID.get()
        if request_id is not None:
            pairs["request_id"] = request_id
        if job_id is not None:
            pairs["job_id"] = job_id
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
