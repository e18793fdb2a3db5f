"""The standard error codes and the HTTP status each one means.

The wire value of a code is its enum value (`"INVALID_INPUT"`). The table is the
original platform's, plus `METHOD_NOT_ALLOWED` (the original answered 405 outside the
envelope).
"""

from enum import StrEnum
from http import HTTPStatus


class ErrorCode(StrEnum):
    """A platform-wide error code; `default_status` gives its HTTP status."""

    INVALID_INPUT = "INVALID_INPUT"
    INVALID_JSON = "INVALID_JSON"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    JOB_NOT_FOUND = "JOB_NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CONFLICT = "CONFLICT"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    RANGE_NOT_SATISFIABLE = "RANGE_NOT_SATISFIABLE"
    JOB_NOT_READY = "JOB_NOT_READY"
    RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    DATABASE_ERROR = "DATABASE_ERROR"
    CONFIG_ERROR = "CONFIG_ERROR"
    JOB_FAILED = "JOB_FAILED"
    EXTERNAL_SERVICE_ERROR = "EXTERNAL_SERVICE_ERROR"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    TIMEOUT = "TIMEOUT"
    INSUFFICIENT_STORAGE = "INSUFFICIENT_STORAGE"


_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_INPUT: HTTPStatus.BAD_REQUEST,
    ErrorCode.INVALID_JSON: HTTPStatus.BAD_REQUEST,
    ErrorCode.UNAUTHORIZED: HTTPStatus.UNAUTHORIZED,
    ErrorCode.FORBIDDEN: HTTPStatus.FORBIDDEN,
    ErrorCode.NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.JOB_NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.METHOD_NOT_ALLOWED: HTTPStatus.METHOD_NOT_ALLOWED,
    ErrorCode.CONFLICT: HTTPStatus.CONFLICT,
    ErrorCode.PAYLOAD_TOO_LARGE: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    ErrorCode.RANGE_NOT_SATISFIABLE: HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
    ErrorCode.JOB_NOT_READY: HTTPStatus.TOO_EARLY,
    ErrorCode.RATE_LIMIT_EXCEEDED: HTTPStatus.TOO_MANY_REQUESTS,
    ErrorCode.INTERNAL_ERROR: HTTPStatus.INTERNAL_SERVER_ERROR,
    ErrorCode.DATABASE_ERROR: HTTPStatus.INTERNAL_SERVER_ERROR,
    ErrorCode.CONFIG_ERROR: HTTPStatus.INTERNAL_SERVER_ERROR,
    ErrorCode.JOB_FAILED: HTTPStatus.INTERNAL_SERVER_ERROR,
    ErrorCode.EXTERNAL_SERVICE_ERROR: HTTPStatus.BAD_GATEWAY,
    ErrorCode.SERVICE_UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
    ErrorCode.TIMEOUT: HTTPStatus.GATEWAY_TIMEOUT,
    ErrorCode.INSUFFICIENT_STORAGE: HTTPStatus.INSUFFICIENT_STORAGE,
}

# The code an HTTP status stands for when no code was given (Starlette's own 404/405, ...).
_CODE_FOR_STATUS: dict[int, ErrorCode] = {
    HTTPStatus.BAD_REQUEST: ErrorCode.INVALID_INPUT,
    HTTPStatus.UNAUTHORIZED: ErrorCode.UNAUTHORIZED,
    HTTPStatus.FORBIDDEN: ErrorCode.FORBIDDEN,
    HTTPStatus.NOT_FOUND: ErrorCode.NOT_FOUND,
    HTTPStatus.METHOD_NOT_ALLOWED: ErrorCode.METHOD_NOT_ALLOWED,
    HTTPStatus.CONFLICT: ErrorCode.CONFLICT,
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE: ErrorCode.RANGE_NOT_SATISFIABLE,
    HTTPStatus.TOO_EARLY: ErrorCode.JOB_NOT_READY,
    HTTPStatus.TOO_MANY_REQUESTS: ErrorCode.RATE_LIMIT_EXCEEDED,
    HTTPStatus.INTERNAL_SERVER_ERROR: ErrorCode.INTERNAL_ERROR,
    HTTPStatus.BAD_GATEWAY: ErrorCode.EXTERNAL_SERVICE_ERROR,
    HTTPStatus.SERVICE_UNAVAILABLE: ErrorCode.SERVICE_UNAVAILABLE,
    HTTPStatus.GATEWAY_TIMEOUT: ErrorCode.TIMEOUT,
    HTTPStatus.INSUFFICIENT_STORAGE: ErrorCode.INSUFFICIENT_STORAGE,
}


def default_status(code: StrEnum) -> int:
    """The HTTP status of a standard code (`INVALID_INPUT` -> 400, ...).

    A code outside `ErrorCode` has no default and raises `TypeError`.
    """
    if not isinstance(code, ErrorCode):
        raise TypeError(f"{code!r} is not a standard error code: give its HTTP status")
    return _STATUS[code]


def error_code_for_status(status: int) -> ErrorCode:
    """The standard code for an HTTP error status.

    Statuses without a code of their own map to `INVALID_INPUT` (4xx) or
    `INTERNAL_ERROR` (5xx); anything below 400 is not an error and raises `ValueError`.
    """
    if status < HTTPStatus.BAD_REQUEST or status > 599:
        raise ValueError(f"HTTP status {status} is not an error status")
    code = _CODE_FOR_STATUS.get(status)
    if code is not None:
        return code
    if status < HTTPStatus.INTERNAL_SERVER_ERROR:
        return ErrorCode.INVALID_INPUT
    return ErrorCode.INTERNAL_ERROR
