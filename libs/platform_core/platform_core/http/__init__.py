"""The service kit: declare typed routes, build the app, serve it with Hypercorn.

    routes = [post("/v1/items").requires("api").body(NewItem).returns(Item).to(create_item)]
    app = create_app(service="items-api", settings=settings, resources=open_resources,
                     routes=routes, readiness=lambda ctx: [redis_ping(ctx.redis)],
                     auth=api_key_auth(settings),                  # keys from settings
                     errors=[maps(ItemMissingError, to=not_found)])  # domain -> AppError
    raise SystemExit(run_service(service="items-api", settings=Settings, build=build_app))

See libs/platform_core/README.md, "Writing a service".
"""

from platform_core.http.app import NotStartedError, create_app, no_checks, settings_only
from platform_core.http.auth import (
    API_KEY_HEADER,
    UNAUTHORIZED,
    ApiKeys,
    Auth,
    OpenAccess,
    Refusal,
    api_key_auth,
)
from platform_core.http.domain_errors import ErrorRule, maps
from platform_core.http.error_handling import ErrorMiddleware, error_response
from platform_core.http.middleware import (
    REQUEST_ID_HEADER,
    AccessLogMiddleware,
    RequestIdMiddleware,
)
from platform_core.http.parsing import DEFAULT_MAX_BODY_BYTES, BodyStream, NoBody, NoPath, NoQuery
from platform_core.http.routing import (
    Call,
    Endpoint,
    Reply,
    Responding,
    Route,
    delete,
    get,
    head,
    patch,
    post,
    put,
    route,
)
from platform_core.http.server import Listening, run_service, serve

__all__ = [
    "API_KEY_HEADER",
    "DEFAULT_MAX_BODY_BYTES",
    "REQUEST_ID_HEADER",
    "UNAUTHORIZED",
    "AccessLogMiddleware",
    "ApiKeys",
    "Auth",
    "BodyStream",
    "Call",
    "Endpoint",
    "ErrorMiddleware",
    "ErrorRule",
    "Listening",
    "NoBody",
    "NoPath",
    "NoQuery",
    "NotStartedError",
    "OpenAccess",
    "Refusal",
    "Reply",
    "RequestIdMiddleware",
    "Responding",
    "Route",
    "api_key_auth",
    "create_app",
    "delete",
    "error_response",
    "get",
    "head",
    "maps",
    "no_checks",
    "patch",
    "post",
    "put",
    "route",
    "run_service",
    "serve",
    "settings_only",
]
