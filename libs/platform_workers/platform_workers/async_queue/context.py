"""`JobContext`: what a handler knows about its job, and how it reports progress."""

from collections.abc import Awaitable, Callable

from pydantic import JsonValue

from platform_core.async_events import Domain

Reporter = Callable[[int, str | None, JsonValue], Awaitable[None]]


class JobContext:
    """The running job: its id, user, task, queue and attempt number (1 for the first run).

    `await ctx.progress(40, "resizing")` records the progress on the job's status and
    emits a `{domain}.job.progress.v1` event, in one atomic call that first checks this
    worker still holds the job (else `LeaseLostError`).
    """

    def __init__(
        self,
        *,
        job_id: str,
        user_id: int,
        task: str,
        queue: Domain,
        attempt: int,
        reporter: Reporter,
    ) -> None:
        self.job_id = job_id
        self.user_id = user_id
        self.task = task
        self.queue: Domain = queue
        self.attempt = attempt
        self._reporter = reporter

    async def progress(
        self, percent: int, message: str | None = None, payload: JsonValue = None
    ) -> None:
        """Report `percent` (0-100), an optional message and an optional JSON payload."""
        if not 0 <= percent <= 100:
            raise ValueError(f"progress must be within 0-100, got {percent}")
        await self._reporter(percent, message, payload)
