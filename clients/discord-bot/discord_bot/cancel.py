"""Cancel a task and wait until it has ended, even if it swallows a cancellation.

On Python 3.11, `asyncio.wait_for` (which redis-py uses around every socket write) loses
a cancellation that arrives as the awaited call completes (CPython gh-86296, fixed in
3.12): the task goes on, here looping in `EventReader`, and one `cancel()` never ends
it. `cancel_and_wait` cancels again until the task is done.
"""

import asyncio
from typing import TypeVar

__all__ = ["CANCEL_RETRY_S", "cancel_and_wait"]

CANCEL_RETRY_S = 0.05

T = TypeVar("T")


async def cancel_and_wait(task: "asyncio.Future[T]") -> None:
    """Cancel `task` (again every `CANCEL_RETRY_S` while it runs on) until it is done."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=CANCEL_RETRY_S)
