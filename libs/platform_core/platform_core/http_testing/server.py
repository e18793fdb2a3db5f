"""A real Hypercorn server on 127.0.0.1 for end-to-end tests, in the test's event loop."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import httpx
from starlette.types import ASGIApp

from platform_core.http.server import Listening, serve
from platform_core.http_testing.clients import http_client

STARTUP_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class RunningServer:
    """A started server: its URL, and how to stop it gracefully."""

    url: str
    port: int
    task: "asyncio.Task[None]"
    shutdown: asyncio.Event

    def client(self) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        """A client with this server as its base URL."""
        return http_client(self.url)

    async def stop(self) -> None:
        """Begin the graceful shutdown and wait until the server has stopped."""
        self.shutdown.set()
        await self.task


@asynccontextmanager
async def running_server(
    app: ASGIApp, *, grace_s: float = 5.0, timeout_s: float = STARTUP_TIMEOUT_S
) -> AsyncIterator[RunningServer]:
    """Serve `app` on a free port of 127.0.0.1 for the block, then stop it gracefully.

    Startup failures raise (hypercorn's `LifespanFailureError`); an app that never
    completes its lifespan startup raises `TimeoutError` after `timeout_s`. No signal
    handlers are installed; `server.stop()` may be called inside the block.
    """
    shutdown = asyncio.Event()
    settled = asyncio.Event()
    listening: list[Listening] = []

    def on_listening(where: Listening) -> None:
        listening.append(where)
        settled.set()

    task = asyncio.create_task(
        serve(
            app,
            host="127.0.0.1",
            port=0,
            grace_s=grace_s,
            shutdown=shutdown,
            on_listening=on_listening,
            handle_signals=False,
        )
    )
    task.add_done_callback(lambda _: settled.set())
    try:
        async with asyncio.timeout(timeout_s):
            await settled.wait()
        if not listening:
            await task  # it ended before listening: startup failed, and this raises why
        where = listening[0]
        yield RunningServer(where.url, where.port, task, shutdown)
    finally:
        shutdown.set()
        if listening:
            await task
        else:
            # It never finished its startup: Hypercorn would wait for that (its own
            # startup timeout) before looking at `shutdown`. Stop it now instead.
            task.cancel()
            await asyncio.wait({task})
