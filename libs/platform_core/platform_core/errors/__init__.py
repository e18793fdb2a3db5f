"""The platform's error vocabulary: codes, their HTTP statuses, `AppError` and the envelope.

Every error response of every service has the same body,
`{"code": "<CODE>", "message": "<text>", "request_id": "<id>"}` (`ErrorBody`), whatever
raised it. Handlers raise `AppError(ErrorCode.NOT_FOUND, "file not found")`; a service's own
codes are a `StrEnum` passed with an explicit status.
"""

from platform_core.errors.app_error import AppError
from platform_core.errors.codes import ErrorCode, default_status, error_code_for_status
from platform_core.errors.envelope import ErrorBody

__all__ = ["AppError", "ErrorBody", "ErrorCode", "default_status", "error_code_for_status"]
