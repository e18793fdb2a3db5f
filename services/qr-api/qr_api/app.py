"""The qr-api app on the platform kit: `POST /v1/qr`, `/healthz`, `/readyz`, `/openapi.json`.

`POST /v1/qr` reads the raw body (any `Content-Type`, as in the original, up to
`QR_MAX_BODY_BYTES`), checks it with the original's rules (`qr_api.request`), picks PNG
or SVG from `Accept` (`qr_api.negotiation`) and renders in the render pool. The image
goes out with a strong `ETag` (the SHA-256 of its bytes), `Cache-Control` and
`Vary: Accept`: the same body and `Accept` always give the same bytes. Client mistakes
are 400 `INVALID_INPUT` with the original's message; a dead render worker is 503
`SERVICE_UNAVAILABLE` and turns `/readyz` to 503 `render pool broken`.
"""

import hashlib
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Executor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.responses import Response

from platform_core.blocking import run_blocking
from platform_core.errors import AppError, ErrorCode
from platform_core.health import ReadinessCheck
from platform_core.http import BodyStream, Call, ErrorRule, Route, create_app, maps, post
from qr_api.errors import QrInputError
from qr_api.negotiation import choose_kind
from qr_api.render import MEDIA_TYPES
from qr_api.render_pool import REASON_BROKEN, RenderPool, RenderPoolBrokenError, process_pool
from qr_api.request import QrOptions, QrRequestDocument, parse_spec
from qr_api.settings import QrSettings

SERVICE = "qr-api"
CACHE_CONTROL = "public, max-age=86400"

ExecutorFactory = Callable[[int], Executor]


@dataclass(frozen=True)
class QrContext:
    """What the handlers use: the request defaults and the render pool."""

    defaults: QrOptions
    pool: RenderPool


def etag(image: bytes) -> str:
    """The strong entity tag of an image: its SHA-256, quoted."""
    return f'"{hashlib.sha256(image).hexdigest()}"'


async def render_qr(call: Call[QrContext, BodyStream]) -> Response:
    """Render a URL as a QR code.

    The JSON body holds `url` and optionally `ecc`, `box_size`, `border`, `fill_color`
    and `back_color`. The answer is a PNG, or an SVG when `Accept` prefers
    `image/svg+xml`.
    """
    body = b"".join([chunk async for chunk in call.body])
    spec = parse_spec(body, call.ctx.defaults)
    kind = choose_kind(call.headers.get("accept"))
    image = await call.ctx.pool.render(spec, kind)
    headers = {"ETag": etag(image), "Cache-Control": CACHE_CONTROL, "Vary": "Accept"}
    return Response(image, media_type=MEDIA_TYPES[kind], headers=headers)


ERRORS: list[ErrorRule] = [
    maps(QrInputError, lambda exc: AppError(ErrorCode.INVALID_INPUT, exc.message)),
    maps(RenderPoolBrokenError, lambda _: AppError(ErrorCode.SERVICE_UNAVAILABLE, REASON_BROKEN)),
]
"""How the request rules' and the render pool's errors answer."""


def routes(max_body_bytes: int) -> list[Route[QrContext]]:
    """The service's own routes."""
    return [
        post("/v1/qr")
        .stream("application/json", max_bytes=max_body_bytes, schema=QrRequestDocument)
        .returns_raw("image/png", "image/svg+xml", description="The QR code")
        .to(render_qr)
    ]


def resources(
    executor_factory: ExecutorFactory,
) -> Callable[[QrSettings], AbstractAsyncContextManager[QrContext]]:
    """Startup and shutdown: the render pool (started and warmed up), then its shutdown."""

    @asynccontextmanager
    async def open_context(settings: QrSettings) -> AsyncIterator[QrContext]:
        executor = executor_factory(settings.qr_render_workers)
        try:
            pool = RenderPool(executor)
            await pool.warm_up(settings.qr_render_workers)
            yield QrContext(defaults=settings.qr_defaults(), pool=pool)
        finally:
            await run_blocking(executor.shutdown, wait=True, cancel_futures=True)

    return open_context


def readiness(ctx: QrContext) -> Sequence[ReadinessCheck]:
    """Ready while the render pool can render (no Redis, no queue, no worker)."""
    return [ctx.pool.check_ready]


def build_app(settings: QrSettings, executor_factory: ExecutorFactory = process_pool) -> Starlette:
    """The qr-api ASGI app (`executor_factory(workers)` makes the render executor)."""
    return create_app(
        service=SERVICE,
        settings=settings,
        resources=resources(executor_factory),
        routes=routes(settings.qr_max_body_bytes),
        readiness=readiness,
        errors=ERRORS,
        description="Renders a URL as a QR code (PNG or SVG).",
    )
