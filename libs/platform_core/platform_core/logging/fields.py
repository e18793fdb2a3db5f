"""Typed extra fields on a log line: `logger.info("stored", extra=log_fields(size=12))`."""

from collections.abc import Mapping
from dataclasses import dataclass

LogValue = str | int | float | bool | None

FIELDS_ATTR = "platform_fields"
RESERVED = frozenset(
    {
        "timestamp",
        "level",
        "logger",
        "message",
        "service",
        "instance",
        "request_id",
        "job_id",
        "exc_info",
    }
)


@dataclass(frozen=True, slots=True)
class LogFields:
    """Extra key/value pairs of one log record (JSON scalars only)."""

    values: Mapping[str, LogValue]


def log_fields(**values: LogValue) -> dict[str, object]:
    """The `extra=` argument that adds `values` to the log line.

    A key that the line already has (`message`, `request_id`, ...) raises `ValueError`.
    """
    clash = RESERVED.intersection(values)
    if clash:
        raise ValueError(f"log field names reserved for the line itself: {sorted(clash)}")
    return {FIELDS_ATTR: LogFields(values)}


def fields_of(record_attr: object) -> Mapping[str, LogValue]:
    """The fields stored on a record (the value of its `platform_fields` attribute)."""
    if isinstance(record_attr, LogFields):
        return record_attr.values
    return {}
