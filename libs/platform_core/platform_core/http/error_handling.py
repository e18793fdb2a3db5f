"""Every error leaves the app as the envelope `{"code","message","request_id"}`.

`ErrorMiddleware` (innermost, pure ASGI) answers `AppError` with its code and status and
any other exception with 500 `INTERNAL_ERROR` "Internal server error", logged with its
traceback; `http_exception_handler` answers Starlette's own errors (404 for an unknown
route, 405 for a wrong method) the same way. The request id is in the body and, added
by `RequestIdMiddleware`, in the `X-Request-ID` header.
"""

import asyncio
import logging
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from platform_core.errors import AppError, ErrorBody, ErrorCode, error_code_for_status
from platform_core.logging import current_request_id, log_fields

logger = logging.getLogger("platform_core.http")

INTERNAL_MESSAGE = "Internal server error"
CANCELLED_MESSAGE = "the request was cancelled: the server is shutting down"


def error_response(
    code: str, message: str, status: int, headers: Mapping[str, str] | None = None
) -> Response:
    """The envelope response for an error, carrying the current request id."""
    body = ErrorBody(code=code, message=message, request_id=current_request_id() or "")
    return Response(
        body.model_dump_json().encode(),
        status_code=status,
        headers=dict(headers) if headers else None,
        media_type="application/json",
    )


def app_error_response(exc: AppError) -> Response:
    """The envelope response for an `AppError`."""
    return error_response(exc.code, exc.message, exc.status, exc.headers)


def _http_message(request: Request, exc: HTTPException) -> str:
    if exc.status_code == 404:
        return f"no route for {request.url.path}"
    if exc.status_code == 405:
        return f"method {request.method} is not allowed for {request.url.path}"
    return exc.detail


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's `HTTPException` (unknown route, wrong method, ...) as an envelope."""
    if not isinstance(exc, HTTPException):
        raise TypeError(f"http_exception_handler got {type(exc).__name__}") from exc
    code = error_code_for_status(exc.status_code)
    return error_response(code, _http_message(request, exc), exc.status_code, exc.headers)


class ErrorMiddleware:
    """Turns exceptions from the app into envelope responses (pure ASGI).

    Only possible before the response has started; after that the exception is
    re-raised and the server drops the connection. A client that disconnects while its
    body is read gets no answer (there is no one to answer) and is logged at INFO; a
    request the server cancels (shutdown grace period over) gets 503 before it ends.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind: str = scope["type"]
        if kind != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            message_type: str = message["type"]
            if message_type == "http.response.start":
                started = True
            await send(message)

        method: str = scope["method"]
        path: str = scope["path"]
        try:
            await self.app(scope, receive, send_tracking)
        except AppError as exc:
            if started:
                raise
            fields = log_fields(method=method, path=path, code=exc.code, status=exc.status)
            if exc.status >= 500:
                logger.exception("request failed: %s", exc.message, extra=fields)
            else:
                logger.info("request refused: %s", exc.message, extra=fields)
            await app_error_response(exc)(scope, receive, send)
        except ClientDisconnect:
            logger.info("client disconnected", extra=log_fields(method=method, path=path))
        except asyncio.CancelledError:
            # The server gave up on the request (shutdown grace period over): answer 503
            # with the envelope rather than leave the server's bare 500, then stop.
            if not started:
                logger.warning("request cancelled", extra=log_fields(method=method, path=path))
                response = error_response(ErrorCode.SERVICE_UNAVAILABLE, CANCELLED_MESSAGE, 503)
                await response(scope, receive, send)
            raise
        except Exception as exc:
            if started:
                raise
            logger.exception(
                "unhandled exception",
                extra=log_fields(method=method, path=path, error_type=type(exc).__name__),
            )
            response = error_response(ErrorCode.INTERNAL_ERROR, INTERNAL_MESSAGE, 500)
            await response(scope, receive, send)
