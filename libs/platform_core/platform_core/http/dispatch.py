"""One request through its route: the key check first, then the route, and errors answered.

The order is the kit's promise: the API key (when the route `requires` a scope) is
checked before the path, the query or a byte of the body is read. An exception from the
route goes through the app's domain-error table. A body route refused before anything
read its body gets that body drained first when it is small (see `drain_unread`).
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive

from platform_core.http.auth import KeyCheck
from platform_core.http.domain_errors import ErrorTable
from platform_core.http.parsing import drain_unread
from platform_core.http.routing import Route

C = TypeVar("C")

Serve = Callable[[Request, C], Awaitable[Response]]


class _Watched:
    """A request's `receive`, noting whether anything has asked it for a message."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.used = False

    async def __call__(self) -> Message:
        self.used = True
        return await self._receive()


def dispatcher(route: Route[C], check: KeyCheck | None, errors: ErrorTable) -> Serve[C]:
    """How `route` serves a request: `check` (the route's key check, None when open),
    then the route; its exceptions answered through `errors`."""
    invoke = route.invoke
    has_body = route.body.kind != "none"

    async def serve(request: Request, ctx: C) -> Response:
        watched: _Watched | None = None
        if has_body:
            watched = _Watched(request.receive)
            request = Request(request.scope, watched)
        try:
            if check is not None:
                check(request.headers)
            return await invoke(request, ctx)
        except Exception as exc:
            error = errors.answer(exc)
            if error is None:
                raise
            if watched is not None and not watched.used:
                await drain_unread(request)
            if error is exc:
                raise
            raise error from exc

    return serve
