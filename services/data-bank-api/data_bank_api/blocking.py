"""Running the engine's blocking filesystem calls off the event loop, safely under cancellation."""

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


async def run_blocking(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`function(*args, **kwargs)` in a worker thread.

    If the caller is cancelled meanwhile, the call still runs to its end before the
    cancellation propagates: a descriptor is never closed, nor a temporary file
    removed, under a write that is still running in another thread.
    """
    call = asyncio.ensure_future(asyncio.to_thread(function, *args, **kwargs))
    try:
        return await asyncio.shield(call)
    except asyncio.CancelledError as cancelled:
        await asyncio.wait([call])
        failure = call.exception()
        if failure is not None:
            raise cancelled from failure
        raise
