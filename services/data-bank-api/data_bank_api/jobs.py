"""The integrity scrub as a job on the `databank` queue.

`POST /admin/verify` enqueues `SCRUB`; the worker binary runs `scrub_handler`, which
reports progress (a `databank.job.progress.v1` event each time the percentage of
objects checked grows) and returns the `ScrubReport`. The `completed` event's
`result_id` is the job id (the report is at `GET /admin/verify/{job_id}`) and its
`result_bytes` the number of bytes hashed.
"""

from collections.abc import Awaitable, Callable

from pydantic import BaseModel, ConfigDict

from data_bank_api.scrub import Scrubber, ScrubReport
from platform_core.async_events import Domain
from platform_workers.async_queue import JobContext, ResultRef, Task

QUEUE: Domain = "databank"
RESULT_TTL_S = 7 * 86_400.0


class ScrubRequest(BaseModel):
    """The scrub's payload: nothing to choose, it checks every object."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _describe(report: ScrubReport, job_id: str) -> ResultRef:
    return ResultRef(result_id=job_id, result_bytes=report.bytes_checked)


SCRUB = Task(
    "databank.scrub", ScrubRequest, ScrubReport, result_ttl_s=RESULT_TTL_S, describe=_describe
)


def scrub_handler(
    scrubber: Scrubber,
) -> Callable[[ScrubRequest, JobContext], Awaitable[ScrubReport]]:
    """The handler that runs `scrubber` for a scrub job."""

    async def scrub(_: ScrubRequest, ctx: JobContext) -> ScrubReport:
        reported = -1

        async def progress(done: int, total: int) -> None:
            nonlocal reported
            percent = done * 100 // total
            if percent != reported:
                reported = percent
                await ctx.progress(percent, f"{done} of {total} objects checked")

        return await scrubber.run(progress)

    return scrub
