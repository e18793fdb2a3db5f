"""`Offload`: run blocking calls (yt-dlp, file I/O) on a bounded thread pool.

yt-dlp is synchronous; each call runs on one of `max_workers` threads so the event loop
keeps serving while YouTube answers. Calls go through `platform_core.blocking`: the
caller's context variables (request id, job id) travel with the call, so log lines
written in the thread keep them, and a cancelled caller waits for its call to end, so
nothing it cleans up next is still in use by the thread.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from platform_core.blocking import run_blocking, run_in, run_stoppable

P = ParamSpec("P")
T = TypeVar("T")


class Offload:
    """A named thread pool for blocking calls, awaited from the event loop."""

    def __init__(self, max_workers: int, name: str) -> None:
        self.max_workers = max_workers
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` on a pool thread (`platform_core.blocking.run_in`)."""
        return await run_in(self._pool, fn, *args, **kwargs)

    async def run_stoppable(
        self, stop: Callable[[], None], fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`run`, calling `stop()` when the caller is cancelled so the call ends early."""
        return await run_stoppable(self._pool, stop, fn, *args, **kwargs)

    async def close(self) -> None:
        """Stop the pool: queued calls are cancelled, running ones finish (awaited off-loop)."""
        await run_blocking(self._pool.shutdown, wait=True, cancel_futures=True)
