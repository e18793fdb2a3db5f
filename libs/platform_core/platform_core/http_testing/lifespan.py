"""Running an ASGI app's lifespan (startup, then shutdown) around a block of test code."""

import asyncio
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager

from starlette.types import ASGIApp, Message

STARTUP_TIMEOUT_S = 30.0


class LifespanError(RuntimeError):
    """The app reported that its startup or shutdown failed (its message included)."""


@asynccontextmanager
async def lifespan(app: ASGIApp, *, timeout_s: float = STARTUP_TIMEOUT_S) -> AsyncIterator[None]:
    """Start `app` (ASGI lifespan), run the block, shut it down.

    A failed startup raises `LifespanError` before the block runs; a failed shutdown
    raises it after.
    """
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    state: dict[str, object] = {}
    scope: MutableMapping[str, object] = {
        "type": "lifespan",
        "asgi": {"version": "3.0", "spec_version": "2.0"},
        "state": state,
    }

    async def receive() -> Message:
        return await inbox.get()

    async def send(message: Message) -> None:
        await outbox.put(message)

    async def expect(stage: str) -> None:
        async with asyncio.timeout(timeout_s):
            reply = await outbox.get()
        kind: str = reply["type"]
        if kind != f"lifespan.{stage}.complete":
            detail: str = reply.get("message", "")
            raise LifespanError(f"{stage} failed: {detail}")

    async def run() -> None:
        await app(scope, receive, send)

    startup: dict[str, object] = {"type": "lifespan.startup"}
    shutdown: dict[str, object] = {"type": "lifespan.shutdown"}
    task = asyncio.create_task(run())
    try:
        await inbox.put(startup)
        await expect("startup")
        yield
        await inbox.put(shutdown)
        await expect("shutdown")
    finally:
        if not task.done():
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)
