"""Answering GET and HEAD of a stored file: validators, conditionals, ranges, streaming.

Order of evaluation (RFC 9110 §13.2.2): the file must exist (404); `If-None-Match`, or
else `If-Modified-Since`, may answer 304; then `If-Range` decides whether `Range`
applies, and `Range` gives 206, 416, or the whole file with 200.
"""

from starlette.datastructures import Headers
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from data_bank_api.conditional import http_date, is_not_modified, range_still_valid, strong_etag
from data_bank_api.engine import StoredFile
from data_bank_api.ranges import (
    ByteRange,
    Unsatisfiable,
    WholeFile,
    parse_range,
    unsatisfied_content_range,
)
from data_bank_api.storage import OpenBlob
from platform_core.errors import AppError, ErrorCode


class BlobResponse(StreamingResponse):
    """Streams `length` bytes of an open blob from `start`, and closes it whatever happens
    (the end of the body, a client that disconnects, a failed read)."""

    def __init__(
        self, blob: OpenBlob, start: int, length: int, status: int, headers: dict[str, str]
    ) -> None:
        super().__init__(blob.chunks(start, length), status_code=status, headers=headers)
        self._blob = blob

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the response, then close the blob."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._blob.close()


def representation_headers(stored: StoredFile) -> dict[str, str]:
    """The headers every GET and HEAD of the file carries (validators included)."""
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Type": stored.content_type,
        "ETag": strong_etag(stored.sha256),
    }
    if stored.created_at is not None:
        headers["Last-Modified"] = http_date(stored.created_at)
    return headers


def not_modified(stored: StoredFile, request: Headers) -> Response | None:
    """304 when `If-None-Match` / `If-Modified-Since` say the client has this file."""
    if not is_not_modified(
        if_none_match=request.get("if-none-match"),
        if_modified_since=request.get("if-modified-since"),
        sha256=stored.sha256,
        last_modified=stored.created_at,
    ):
        return None
    headers = representation_headers(stored)
    del headers["Content-Type"]
    return Response(status_code=304, headers=headers)


def head_response(stored: StoredFile, request: Headers) -> Response:
    """HEAD: the GET's headers without the body (`Range` does not apply to HEAD)."""
    unchanged = not_modified(stored, request)
    if unchanged is not None:
        return unchanged
    headers = representation_headers(stored)
    headers["Content-Length"] = str(stored.size)
    return Response(status_code=200, headers=headers)


def _range_error(message: str, size: int) -> AppError:
    return AppError(
        ErrorCode.RANGE_NOT_SATISFIABLE,
        message,
        headers={"Content-Range": unsatisfied_content_range(size)},
    )


def get_response(blob: OpenBlob, request: Headers) -> Response:
    """GET: 304, 206, 416 or the whole file; the blob is closed by the response (or here)."""
    stored = blob.stored
    unchanged = not_modified(stored, request)
    if unchanged is not None:
        return unchanged
    range_header = request.get("range")
    if_range = request.get("if-range")
    if if_range is not None and not range_still_valid(if_range, stored.sha256, stored.created_at):
        range_header = None
    decision = parse_range(range_header, stored.size)
    headers = representation_headers(stored)
    match decision:
        case WholeFile():
            headers["Content-Length"] = str(stored.size)
            return BlobResponse(blob, 0, stored.size, 200, headers)
        case ByteRange():
            headers["Content-Length"] = str(decision.length)
            headers["Content-Range"] = decision.content_range(stored.size)
            return BlobResponse(blob, decision.start, decision.length, 206, headers)
        case Unsatisfiable():
            raise _range_error("unsatisfiable range", stored.size)
    raise _range_error("invalid range", stored.size)
