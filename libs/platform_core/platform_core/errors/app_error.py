"""`AppError`: the one exception a handler raises to answer with an error envelope."""

from collections.abc import Mapping
from enum import StrEnum
from typing import overload

from platform_core.errors.codes import ErrorCode, default_status


class AppError(Exception):
    """An error the client should see: `code`, human `message`, HTTP `status`.

    A standard `ErrorCode` brings its own status (`AppError(ErrorCode.NOT_FOUND,
    "file not found")` is a 404) unless one is given; a service's own code enum
    must state the status (`AppError(TranscriptCode.YOUTUBE_URL_INVALID, "...", 400)`).
    `headers` go on the response (`Content-Range` on a 416, `WWW-Authenticate` on a 401).
    Statuses of 500 and above are logged as system errors, with the traceback.
    """

    code: str
    message: str
    status: int
    headers: Mapping[str, str]

    @overload
    def __init__(
        self,
        code: ErrorCode,
        message: str,
        status: int | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        code: StrEnum,
        message: str,
        status: int,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None: ...

    def __init__(
        self,
        code: StrEnum,
        message: str,
        status: int | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if status is None:
            status = default_status(code)
        if not 400 <= status <= 599:
            raise ValueError(f"AppError status must be 4xx or 5xx, got {status}")
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.status = status
        self.headers = dict(headers) if headers is not None else {}

    def __repr__(self) -> str:
        return f"AppError({self.code!r}, {self.message!r}, {self.status})"
