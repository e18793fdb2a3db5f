"""The wire text of a job's lifecycle events, built with `platform_core.async_events`.

The queue's scripts append these texts to the domain's events stream and PUBLISH them
in the same atomic call as the state change they report.
"""

from typing import Literal

from pydantic import JsonValue

from platform_core.async_events import (
    Domain,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobStarted,
    encode_event,
)


def started(domain: Domain, job_id: str, user_id: int) -> str:
    """`{domain}.job.started.v1` (the queue is named after its domain)."""
    return encode_event(JobStarted(domain=domain, job_id=job_id, user_id=user_id, queue=domain))


def progress(
    domain: Domain,
    job_id: str,
    user_id: int,
    *,
    percent: int,
    message: str | None,
    payload: JsonValue,
) -> str:
    """`{domain}.job.progress.v1`."""
    return encode_event(
        JobProgress(
            domain=domain,
            job_id=job_id,
            user_id=user_id,
            progress=percent,
            message=message,
            payload=payload,
        )
    )


def completed(domain: Domain, job_id: str, user_id: int, result_id: str, result_bytes: int) -> str:
    """`{domain}.job.completed.v1`."""
    return encode_event(
        JobCompleted(
            domain=domain,
            job_id=job_id,
            user_id=user_id,
            result_id=result_id,
            result_bytes=result_bytes,
        )
    )


def failed(
    domain: Domain, job_id: str, user_id: int, kind: Literal["user", "system"], message: str
) -> str:
    """`{domain}.job.failed.v1`."""
    return encode_event(
        JobFailed(domain=domain, job_id=job_id, user_id=user_id, error_kind=kind, message=message)
    )
