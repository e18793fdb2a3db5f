"""`running(app)`: an ASGI app served by Hypercorn on 127.0.0.1 for the duration of a block."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.types import ASGIApp

from platform_core.http import Listening, serve

START_TIMEOUT_S = 30.0


class ServerStoppedError(RuntimeError):
    """The server task ended before it was listening (its own error is raised on exit)."""


@asynccontextmanager
async def running(app: ASGIApp, *, grace_s: float = 1.0) -> AsyncIterator[str]:
    """Serve `app` on a free loopback port; yields its base URL (`http://127.0.0.1:N`)."""
    stop = asyncio.Event()
    ready: asyncio.Future[Listening] = asyncio.get_running_loop().create_future()

    def stopped(_: "asyncio.Task[None]") -> None:
        if not ready.done():
            ready.set_exception(ServerStoppedError("the server stopped before it was listening"))

    server = asyncio.create_task(
        serve(
            app,
            host="127.0.0.1",
            port=0,
            grace_s=grace_s,
            shutdown=stop,
            on_listening=ready.set_result,
            handle_signals=False,
        )
    )
    server.add_done_callback(stopped)
    try:
        async with asyncio.timeout(START_TIMEOUT_S):
            where = await ready
        yield where.url
    finally:
        stop.set()
        await server
