"""The queue's errors: what enqueuers, status readers and handlers catch or raise."""

from typing import Literal


class QueueError(Exception):
    """A queue operation failed. Base of the errors this package raises."""


class JobExistsError(QueueError):
    """`enqueue` was given a job id whose status hash still exists (queued, running or kept)."""


class JobNotFoundError(QueueError):
    """No job has this id (never enqueued, or its status expired after the result TTL)."""


class TaskMismatchError(QueueError):
    """The job belongs to another task than the one its result was read with."""


class JobFailedError(QueueError):
    """The job ended `failed`: `kind` is whose fault it was (`user` or `system`)."""

    def __init__(self, job_id: str, kind: Literal["user", "system"], message: str) -> None:
        super().__init__(f"job {job_id} failed ({kind}): {message}")
        self.job_id = job_id
        self.kind: Literal["user", "system"] = kind
        self.message = message


class LeaseLostError(QueueError):
    """This worker no longer owns the job (its lease lapsed and another worker took it)."""


class UserError(Exception):
    """Raised by a handler when the job cannot succeed because of its input.

    The job ends `failed` with `error_kind` `user` and this message, and is never
    retried. Any other exception is a `system` failure (retried if the task's policy
    allows).
    """


class SystemFailureError(Exception):
    """Raised by a handler for a failure that is not its input's fault (an upstream
    service answered 502, say), with a message written for the job's status.

    The job fails with `error_kind` `system` and this message as it is (other
    exceptions are recorded as `Type: message`), and is retried if the task's policy
    allows.
    """
