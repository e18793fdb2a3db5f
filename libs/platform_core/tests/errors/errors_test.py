"""The error vocabulary: codes, statuses, AppError, the envelope."""

from enum import StrEnum

import pytest

from platform_core.errors import (
    AppError,
    ErrorBody,
    ErrorCode,
    default_status,
    error_code_for_status,
)


class Custom(StrEnum):
    """A service's own codes."""

    VIDEO_ID_INVALID = "YOUTUBE_VIDEO_ID_INVALID"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (ErrorCode.INVALID_INPUT, 400),
        (ErrorCode.INVALID_JSON, 400),
        (ErrorCode.UNAUTHORIZED, 401),
        (ErrorCode.FORBIDDEN, 403),
        (ErrorCode.NOT_FOUND, 404),
        (ErrorCode.JOB_NOT_FOUND, 404),
        (ErrorCode.METHOD_NOT_ALLOWED, 405),
        (ErrorCode.CONFLICT, 409),
        (ErrorCode.PAYLOAD_TOO_LARGE, 413),
        (ErrorCode.UNSUPPORTED_MEDIA_TYPE, 415),
        (ErrorCode.RANGE_NOT_SATISFIABLE, 416),
        (ErrorCode.JOB_NOT_READY, 425),
        (ErrorCode.RATE_LIMIT_EXCEEDED, 429),
        (ErrorCode.INTERNAL_ERROR, 500),
        (ErrorCode.DATABASE_ERROR, 500),
        (ErrorCode.CONFIG_ERROR, 500),
        (ErrorCode.JOB_FAILED, 500),
        (ErrorCode.EXTERNAL_SERVICE_ERROR, 502),
        (ErrorCode.SERVICE_UNAVAILABLE, 503),
        (ErrorCode.TIMEOUT, 504),
        (ErrorCode.INSUFFICIENT_STORAGE, 507),
    ],
)
def test_the_original_status_table(code: ErrorCode, status: int) -> None:
    assert default_status(code) == status
    assert AppError(code, "m").status == status


def test_wire_value_is_the_name() -> None:
    assert str(ErrorCode.INVALID_INPUT) == "INVALID_INPUT"
    assert AppError(ErrorCode.NOT_FOUND, "gone").code == "NOT_FOUND"


def test_app_error_fields() -> None:
    err = AppError(ErrorCode.NOT_FOUND, "file not found")
    assert (err.code, err.message, err.status, dict(err.headers)) == (
        "NOT_FOUND",
        "file not found",
        404,
        {},
    )
    assert str(err) == "file not found"
    assert repr(err) == "AppError('NOT_FOUND', 'file not found', 404)"


def test_status_and_headers_can_be_given() -> None:
    err = AppError(
        ErrorCode.RANGE_NOT_SATISFIABLE, "bad range", 416, headers={"Content-Range": "bytes */9"}
    )
    assert err.status == 416
    assert err.headers == {"Content-Range": "bytes */9"}
    assert AppError(ErrorCode.NOT_FOUND, "m", 410).status == 410


def test_service_codes_carry_their_status() -> None:
    err = AppError(Custom.VIDEO_ID_INVALID, "bad id", 400)
    assert (err.code, err.status) == ("YOUTUBE_VIDEO_ID_INVALID", 400)


def test_service_codes_have_no_default_status() -> None:
    with pytest.raises(TypeError, match="not a standard error code: give its HTTP status"):
        default_status(Custom.VIDEO_ID_INVALID)


@pytest.mark.parametrize("status", [200, 302, 399, 600])
def test_status_must_be_an_error(status: int) -> None:
    with pytest.raises(ValueError, match="4xx or 5xx"):
        AppError(ErrorCode.INVALID_INPUT, "m", status)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, ErrorCode.INVALID_INPUT),
        (401, ErrorCode.UNAUTHORIZED),
        (403, ErrorCode.FORBIDDEN),
        (404, ErrorCode.NOT_FOUND),
        (405, ErrorCode.METHOD_NOT_ALLOWED),
        (409, ErrorCode.CONFLICT),
        (413, ErrorCode.PAYLOAD_TOO_LARGE),
        (415, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
        (416, ErrorCode.RANGE_NOT_SATISFIABLE),
        (425, ErrorCode.JOB_NOT_READY),
        (429, ErrorCode.RATE_LIMIT_EXCEEDED),
        (418, ErrorCode.INVALID_INPUT),
        (500, ErrorCode.INTERNAL_ERROR),
        (501, ErrorCode.INTERNAL_ERROR),
        (502, ErrorCode.EXTERNAL_SERVICE_ERROR),
        (503, ErrorCode.SERVICE_UNAVAILABLE),
        (504, ErrorCode.TIMEOUT),
        (507, ErrorCode.INSUFFICIENT_STORAGE),
    ],
)
def test_code_for_status(status: int, code: ErrorCode) -> None:
    assert error_code_for_status(status) is code


@pytest.mark.parametrize("status", [200, 399, 600])
def test_code_for_a_non_error_status_is_refused(status: int) -> None:
    with pytest.raises(ValueError, match="not an error status"):
        error_code_for_status(status)


def test_envelope_wire_shape() -> None:
    body = ErrorBody(code="NOT_FOUND", message="gone", request_id="r-1")
    assert body.model_dump_json() == '{"code":"NOT_FOUND","message":"gone","request_id":"r-1"}'
