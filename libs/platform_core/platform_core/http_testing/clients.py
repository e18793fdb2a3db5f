"""httpx clients for tests: in-process (ASGI transport) and over loopback HTTP."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.types import ASGIApp

from platform_core.http_testing.lifespan import lifespan

TEST_BASE_URL = "http://testserver"
CLIENT_TIMEOUT_S = 30.0


@asynccontextmanager
async def app_client(
    app: ASGIApp, *, base_url: str = TEST_BASE_URL, run_lifespan: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """A client that calls `app` in-process, with its startup run first (unless told not to).

    Exceptions that escape the app are raised in the test, not turned into responses.
    """
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=base_url, timeout=CLIENT_TIMEOUT_S
    ) as client:
        if run_lifespan:
            async with lifespan(app):
                yield client
        else:
            yield client


@asynccontextmanager
async def http_client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client for a real server at `base_url`."""
    async with httpx.AsyncClient(base_url=base_url, timeout=CLIENT_TIMEOUT_S) as client:
        yield client
