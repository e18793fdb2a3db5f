"""The two apps compared: the full kit and bare Starlette, with the same trivial JSON route."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from platform_core.config import ServiceSettings
from platform_core.http import Call, create_app, get

AppKind = Literal["kit", "bare"]
PATH = "/ping"
PING_BODY = b'{"ok":true,"service":"bench"}'


class Ping(BaseModel):
    """The route's answer."""

    ok: bool
    service: str


async def ping(call: Call[ServiceSettings]) -> Ping:
    """Answer a ping."""
    return Ping(ok=True, service="bench")


@asynccontextmanager
async def _nothing(settings: ServiceSettings) -> AsyncIterator[ServiceSettings]:
    yield settings


def kit_app() -> Starlette:
    """The route through `create_app`."""
    return create_app(
        service="bench",
        settings=ServiceSettings(),
        resources=_nothing,
        routes=[get(PATH).returns(Ping).to(ping)],
    )


async def _bare_ping(_: Request) -> Response:
    return Response(PING_BODY, media_type="application/json")


def bare_app() -> Starlette:
    """The same route on a plain Starlette app."""
    return Starlette(routes=[Route(PATH, _bare_ping, methods=["GET"])])


def build(kind: AppKind) -> Starlette:
    """The app of one kind."""
    return kit_app() if kind == "kit" else bare_app()
