"""`create_app`: a service's routes, settings and resources as one Starlette app."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Generic, TypeVar

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route as StarletteRoute
from starlette.types import ExceptionHandler

from platform_core.health import ReadinessCheck, all_of, health_routes
from platform_core.http.auth import Auth, KeyCheck, OpenAccess
from platform_core.http.dispatch import Serve, dispatcher
from platform_core.http.domain_errors import ErrorRule, ErrorTable
from platform_core.http.error_handling import ErrorMiddleware, http_exception_handler
from platform_core.http.middleware import AccessLogMiddleware, RequestIdMiddleware
from platform_core.http.openapi import build_openapi, openapi_json
from platform_core.http.routing import Route, check_routes, starlette_template
from platform_core.logging import log_fields

S = TypeVar("S")
C = TypeVar("C")

logger = logging.getLogger("platform_core.http")

OPENAPI_PATH = "/openapi.json"
RESERVED_PATHS = frozenset({"/healthz", "/readyz", OPENAPI_PATH})


class NotStartedError(RuntimeError):
    """A request reached the app before its startup ran (serve it, or use `http_testing`)."""


class _Running(Generic[C]):
    """The context opened at startup, while the app runs."""

    def __init__(self) -> None:
        self._ctx: list[C] = []
        self._check: ReadinessCheck | None = None

    def start(self, ctx: C, checks: Sequence[ReadinessCheck]) -> None:
        self._ctx = [ctx]
        self._check = all_of(*checks)

    def stop(self) -> None:
        self._ctx = []
        self._check = None

    @property
    def ctx(self) -> C:
        if not self._ctx:
            raise NotStartedError("the app has not been started (no lifespan startup ran)")
        return self._ctx[0]

    def check(self) -> ReadinessCheck:
        if self._check is None:
            raise NotStartedError("the app has not been started (no lifespan startup ran)")
        return self._check


def no_checks(_: object) -> Sequence[ReadinessCheck]:
    """No readiness checks: `/readyz` is ready whenever the app runs."""
    return ()


@asynccontextmanager
async def settings_only(settings: S) -> AsyncIterator[S]:
    """Resources for a service that needs none: the handlers' context is the settings."""
    yield settings


def _key_check(route: Route[C], auth: Auth | None) -> KeyCheck | None:
    """The route's key check: None for an open route, or when the app runs `OpenAccess`."""
    if route.scope is None or isinstance(auth, OpenAccess):
        return None
    if auth is None:
        raise ValueError(
            f"route {route.method} {route.path} requires the {route.scope!r} scope, "
            "but create_app was given no auth"
        )
    return auth.guard(route.scope)


def _endpoint(
    by_method: dict[str, Serve[C]], running: _Running[C]
) -> Callable[[Request], Awaitable[Response]]:
    """One endpoint for all methods of a path (HEAD goes to GET unless declared itself)."""
    serving = dict(by_method)
    if "HEAD" not in serving and "GET" in serving:
        serving["HEAD"] = serving["GET"]

    async def endpoint(request: Request) -> Response:
        return await serving[request.method](request, running.ctx)

    return endpoint


def _starlette_routes(
    routes: Sequence[Route[C]], running: _Running[C], auth: Auth | None, errors: ErrorTable
) -> list[BaseRoute]:
    """One Starlette route per path, so that a 405 lists every allowed method."""
    by_path: dict[str, dict[str, Serve[C]]] = {}
    names: dict[str, str] = {}
    for each in routes:
        serve = dispatcher(each, _key_check(each, auth), errors)
        by_path.setdefault(each.path, {})[each.method] = serve
        names.setdefault(each.path, each.name)
    return [
        StarletteRoute(
            starlette_template(path),
            _endpoint(by_method, running),
            methods=list(by_method),
            name=names[path],
        )
        for path, by_method in by_path.items()
    ]


def _log_open_access(auth: Auth | None, routes: Sequence[Route[C]]) -> None:
    if isinstance(auth, OpenAccess):
        opened = [f"{each.method} {each.path}" for each in routes if each.scope is not None]
        logger.warning(
            "API keys are not checked (%s): %d protected route(s) are open",
            auth.reason,
            len(opened),
            extra=log_fields(reason=auth.reason, open_routes=", ".join(opened)),
        )


def create_app(
    *,
    service: str,
    settings: S,
    resources: Callable[[S], AbstractAsyncContextManager[C]],
    routes: Sequence[Route[C]],
    readiness: Callable[[C], Sequence[ReadinessCheck]] = no_checks,
    auth: Auth | None = None,
    errors: Sequence[ErrorRule] = (),
    version: str = "1.0.0",
    description: str | None = None,
) -> Starlette:
    """The service's ASGI app.

    - `resources(settings)` is entered at startup and exited at shutdown; what it yields
      is `call.ctx` in every handler (`settings_only` when there is nothing to open).
    - `routes`: the service's routes (`post(...).body(...).returns(...).to(handler)`).
    - `readiness(ctx)`: the checks `/readyz` runs, in order (e.g. Redis PING, a live worker).
    - `auth`: the keys that open the scopes routes `requires` (`ApiKeys`), or `OpenAccess`
      (no key is checked: logged as a warning at startup). Needed when a route requires one.
    - `errors`: the app's domain-error table (`maps(Kind, to=...)` rows): how the
      exceptions its domain code raises answer as `AppError`s.
    - `/healthz`, `/readyz` and `/openapi.json` (OpenAPI 3.1, titled `service`) are added;
      they are always open.

    Every response carries `X-Request-ID`, every error is the envelope, and every request
    is one access-log line. Declarations that cannot work (duplicate routes, a path model
    that does not match its path, a scope no key opens) raise `ValueError` here, before
    anything runs.
    """
    check_routes(routes, reserved=RESERVED_PATHS)
    table = ErrorTable(errors)
    document = openapi_json(
        build_openapi(
            title=service, version=version, description=description, routes=routes, auth=auth
        )
    )
    running: _Running[C] = _Running()

    async def openapi(_: Request) -> Response:
        return Response(document, media_type="application/json")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        phase = "startup"
        try:
            async with resources(settings) as ctx:
                running.start(ctx, readiness(ctx))
                _log_open_access(auth, routes)
                logger.info("service started", extra=log_fields(routes=len(routes)))
                phase = "shutdown"
                try:
                    yield
                finally:
                    running.stop()
            logger.info("service stopped")
        except Exception:
            logger.exception("service %s failed", phase)
            raise

    starlette_routes: list[BaseRoute] = [
        *_starlette_routes(routes, running, auth, table),
        *health_routes(running.check),
        StarletteRoute(OPENAPI_PATH, openapi, methods=["GET"], name="openapi"),
    ]
    # Outermost first: the access log sees the final status, the request id covers the
    # error responses, and errors are turned into envelopes innermost.
    middleware: list[Middleware] = [
        Middleware(AccessLogMiddleware),
        Middleware(RequestIdMiddleware),
        Middleware(ErrorMiddleware),
    ]
    handlers: dict[type[Exception], ExceptionHandler] = {HTTPException: http_exception_handler}
    return Starlette(
        routes=starlette_routes,
        middleware=middleware,
        exception_handlers=handlers,
        lifespan=lifespan,
    )
