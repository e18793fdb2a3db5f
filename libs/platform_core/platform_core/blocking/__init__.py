"""Blocking calls (file I/O, synchronous clients) in a thread, safely under cancellation.

`run_in` is the one way a service awaits a blocking call: the call runs in a thread of
an executor with a copy of the caller's context (its log lines keep the request or job
id), and a cancelled caller does not return before the thread has finished, so whatever
the caller cleans up next (a descriptor, a temporary directory) is never pulled from
under a call still using it.
"""

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import Executor
from typing import ParamSpec, TypeVar

__all__ = ["run_blocking", "run_in", "run_stoppable"]

P = ParamSpec("P")
T = TypeVar("T")


async def run_in(
    executor: Executor | None, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`function(*args, **kwargs)` in a thread of `executor` (None: the loop's default one).

    If the caller is cancelled meanwhile, the call still runs to its end before the
    cancellation propagates, also when the caller is cancelled again while it waits
    (anyio cancels a task in a cancelled scope at every step). A failure of the call
    after the cancellation is the `__cause__` of the `CancelledError` raised.
    """
    return await run_stoppable(executor, _nothing, function, *args, **kwargs)


async def run_stoppable(
    executor: Executor | None,
    stop: Callable[[], None],
    function: Callable[P, T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`run_in`, for a call that can end early: when the caller is first cancelled,
    `stop()` is called on the event loop (it sets a flag the call checks, say) before
    the caller waits for the thread, so a long call (a download) does not hold the
    cancellation up for its whole length.
    """
    context = contextvars.copy_context()
    call = asyncio.get_running_loop().run_in_executor(
        executor, functools.partial(context.run, function, *args, **kwargs)
    )
    try:
        return await asyncio.shield(call)
    except asyncio.CancelledError as cancelled:
        stop()
        while not call.done():
            try:
                await asyncio.wait([call])
            except asyncio.CancelledError:
                continue
        failure = call.exception()
        if failure is not None:
            raise cancelled from failure
        raise


async def run_blocking(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`run_in` the loop's default executor."""
    return await run_in(None, function, *args, **kwargs)


def _nothing() -> None:
    """The `stop` of a call that cannot end early."""
