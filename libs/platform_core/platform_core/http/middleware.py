"""The pure-ASGI middleware around every service: request ids and the access log."""

import logging
import random
import re
import time
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from platform_core.errors import ErrorCode
from platform_core.http.error_handling import error_response
from platform_core.logging import REQUEST_ID, log_fields

REQUEST_ID_HEADER = b"x-request-id"
REQUEST_ID_SCOPE_KEY = "platform.request_id"
MAX_REQUEST_ID_LENGTH = 128
_VALID_ID = re.compile(rb"[A-Za-z0-9._:+/=-]{1,%d}" % MAX_REQUEST_ID_LENGTH)

access_logger = logging.getLogger("platform_core.access")


# UUID4 layout (RFC 9562): version 4 in bits 76-79, variant 0b10 in bits 62-63.
_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def new_request_id() -> str:
    """A fresh request id in UUID4 form (`str(uuid.UUID(...))`, formatted directly).

    Its bits come from `random` (seeded from the OS at start), not `os.urandom`: an id
    needs to be unique, not secret, and the system call costs more than the rest of it.
    """
    digits = f"{random.getrandbits(128) & _UUID4_CLEAR | _UUID4_SET:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


class RequestIdMiddleware:
    """`X-Request-ID` in and out, and the id in `REQUEST_ID` while the request runs.

    A client-sent id is used if it is one header of 1-128 characters from
    `[A-Za-z0-9._:+/=-]`; an invalid one is refused with 400 (under a fresh id). Without
    one, a UUID4 is made. Every response carries the id, error responses included.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind: str = scope["type"]
        if kind != "http":
            await self.app(scope, receive, send)
            return
        headers: Iterable[tuple[bytes, bytes]] = scope["headers"]
        sent = [value for name, value in headers if name == REQUEST_ID_HEADER]
        valid = len(sent) == 1 and _VALID_ID.fullmatch(sent[0]) is not None
        request_id = sent[0].decode("ascii") if valid else new_request_id()
        scope[REQUEST_ID_SCOPE_KEY] = request_id
        header = (REQUEST_ID_HEADER, request_id.encode("ascii"))

        async def send_with_id(message: Message) -> None:
            message_type: str = message["type"]
            if message_type == "http.response.start":
                existing: Iterable[tuple[bytes, bytes]] = message.get("headers", ())
                with_id: list[tuple[bytes, bytes]] = [*existing, header]
                message["headers"] = with_id
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            if sent and not valid:
                response = error_response(
                    ErrorCode.INVALID_INPUT,
                    "invalid X-Request-ID header: send one value of 1-128 characters "
                    "from A-Z a-z 0-9 . _ : + / = -",
                    400,
                )
                await response(scope, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)


class AccessLogMiddleware:
    """One log line per request: method, path, status, latency_ms, request_id.

    `status` is null when no response was sent (the client went away first). The record
    is made and handled directly (`makeRecord` + `handle`, what `Logger.info` does less
    its caller lookup): this line is written for every request, so its cost counts.
    """

    def __init__(self, app: ASGIApp, logger: logging.Logger = access_logger) -> None:
        self.app = app
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind: str = scope["type"]
        if kind != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def send_with_status(message: Message) -> None:
            nonlocal status
            message_type: str = message["type"]
            if message_type == "http.response.start":
                sent_status: int = message["status"]
                status = sent_status
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            if self.logger.isEnabledFor(logging.INFO):
                self._log(scope, status, round((time.perf_counter() - started) * 1000, 3))

    def _log(self, scope: Scope, status: int | None, latency_ms: float) -> None:
        method: str = scope["method"]
        path: str = scope["path"]
        fields = log_fields(method=method, path=path, status=status, latency_ms=latency_ms)
        record = self.logger.makeRecord(
            self.logger.name, logging.INFO, __file__, 0, "request", (), None, extra=fields
        )
        # The line carries the request's id: this middleware runs outside the one that
        # sets it for the request, so set it again while the line is formatted.
        request_id: str | None = scope.get(REQUEST_ID_SCOPE_KEY)
        token = REQUEST_ID.set(request_id)
        try:
            self.logger.handle(record)
        finally:
            REQUEST_ID.reset(token)
