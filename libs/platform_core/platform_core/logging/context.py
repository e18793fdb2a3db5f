"""The request and job ids of the code that is running, for log lines and outbound calls.

The HTTP kit sets `REQUEST_ID` for each request; a queue worker sets `JOB_ID` for each
job (`with log_context(job_id=...)`). Both are context variables, so concurrent requests
and jobs on one event loop never see each other's ids.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("platform_request_id", default=None)
JOB_ID: ContextVar[str | None] = ContextVar("platform_job_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled, if any."""
    return REQUEST_ID.get()


def current_job_id() -> str | None:
    """The id of the job being run, if any."""
    return JOB_ID.get()


@contextmanager
def log_context(*, request_id: str | None = None, job_id: str | None = None) -> Iterator[None]:
    """Set the given ids for the block (ids not given keep their current value)."""
    request_token = REQUEST_ID.set(request_id) if request_id is not None else None
    job_token = JOB_ID.set(job_id) if job_id is not None else None
    try:
        yield
    finally:
        if job_token is not None:
            JOB_ID.reset(job_token)
        if request_token is not None:
            REQUEST_ID.reset(request_token)
