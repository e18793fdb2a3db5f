"""Structured logging for services and workers: JSON lines to stdout, or readable text.

`configure_logging(service="orders-api", level="INFO", fmt="json")` once at startup; then
plain `logging.getLogger(__name__)` everywhere. Each JSON line carries `timestamp` (UTC,
milliseconds), `level`, `logger`, `message`, `service`, `instance`, the current
`request_id` and `job_id` when set (see `log_context`), fields given with
`extra=log_fields(...)`, and `exc_info` for exceptions. Records are written by a
background thread, so logging never blocks the event loop on a slow stdout.
"""

from platform_core.logging.context import (
    JOB_ID,
    REQUEST_ID,
    current_job_id,
    current_request_id,
    log_context,
)
from platform_core.logging.fields import LogFields, LogValue, log_fields
from platform_core.logging.formatters import JsonFormatter, TextFormatter
from platform_core.logging.setup import (
    LogFormat,
    LoggingHandle,
    configure_logging,
    default_instance,
)

__all__ = [
    "JOB_ID",
    "REQUEST_ID",
    "JsonFormatter",
    "LogFields",
    "LogFormat",
    "LogValue",
    "LoggingHandle",
    "TextFormatter",
    "configure_logging",
    "current_job_id",
    "current_request_id",
    "default_instance",
    "log_context",
    "log_fields",
]
