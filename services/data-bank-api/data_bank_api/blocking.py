"""Running the engine's blocking filesystem calls off the event loop, safely under cancellation."""

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import Executor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


async def run_in(
    executor: Executor | None, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`function(*args, **kwargs)` in a thread of `executor` (None: the loop's default one).

    If the caller is cancelled meanwhile, the call still runs to its end before the
    cancellation propagates: a descriptor is never closed, nor a temporary file
    removed, under a write that is still running in another thread.
    """
    loop = asyncio.get_running_loop()
    call = loop.run_in_executor(executor, functools.partial(function, *args, **kwargs))
    try:
        return await asyncio.shield(call)
    except asyncio.CancelledError as cancelled:
        await asyncio.wait([call])
        failure = call.exception()
        if failure is not None:
            raise cancelled from failure
        raise


async def run_blocking(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`run_in` the loop's default executor."""
    return await run_in(None, function, *args, **kwargs)
