"""`Offload`: run blocking calls (yt-dlp, file I/O) on a bounded thread pool.

yt-dlp is synchronous; each call runs on one of `max_workers` threads so the event loop
keeps serving while YouTube answers. The caller's context variables (request id, job id)
travel with the call, so log lines written in the thread keep them.
"""

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Offload:
    """A named thread pool for blocking calls, awaited from the event loop."""

    def __init__(self, max_workers: int, name: str) -> None:
        self.max_workers = max_workers
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` on a pool thread, in a copy of the caller's context."""
        context = contextvars.copy_context()
        call = functools.partial(context.run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    async def close(self) -> None:
        """Stop the pool: queued calls are cancelled, running ones finish (awaited off-loop)."""
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)
