"""The STT job: its task declaration (shared by API and worker) and the worker's handler.

Task `transcript_api.jobs.process_stt` (the original's function reference) on queue
`transcript`: payload `{url, video_id}` (validated by the API before enqueueing), result
`{url, video_id, text}`. The `completed` event reports `result_id` = the video id and
`result_bytes` = the text's UTF-8 size, as the original did. A `TranscriptError` ends the
job `failed` with its own `kind` as `error_kind` (`user` for the `STT_*` input errors,
`system` for YouTube or Whisper failing) and its message; any other exception is a
`system` failure. No retries.
"""

from pydantic import BaseModel, ConfigDict

from platform_core.async_events import Domain
from platform_workers.async_queue import (
    JobContext,
    ResultRef,
    SystemFailureError,
    Task,
    UserError,
)
from transcript_api.errors import TranscriptError
from transcript_api.settings import TranscriptSettings
from transcript_api.stt import SttPipeline
from transcript_api.urls import YouTubeVideo

QUEUE: Domain = "transcript"
TASK_NAME = "transcript_api.jobs.process_stt"
PROGRESS_PROBING = 5


class SttPayload(BaseModel):
    """What the job transcribes: a checked video."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    video_id: str


class SttJobResult(BaseModel):
    """A finished job's transcript."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    video_id: str
    text: str


def describe(result: SttJobResult, job_id: str) -> ResultRef:
    """The `completed` event's result: the video id and the text's UTF-8 size."""
    del job_id
    return ResultRef(result_id=result.video_id, result_bytes=len(result.text.encode("utf-8")))


def stt_task(settings: TranscriptSettings) -> Task[SttPayload, SttJobResult]:
    """The STT task with the configured timeout and result TTL."""
    return Task(
        TASK_NAME,
        SttPayload,
        SttJobResult,
        timeout_s=settings.transcript_job_timeout_seconds,
        result_ttl_s=settings.transcript_result_ttl_seconds,
        describe=describe,
    )


async def process_stt(pipeline: SttPipeline, payload: SttPayload, ctx: JobContext) -> SttJobResult:
    """Run the STT pipeline for the job's video, reporting progress at each stage."""
    video = YouTubeVideo(video_id=payload.video_id)
    try:
        await ctx.progress(PROGRESS_PROBING, "probing video")
        probed = await pipeline.probe(video)
        result = await pipeline.transcribe(probed, ctx.progress)
    except TranscriptError as exc:
        if exc.kind == "user":
            raise UserError(exc.message) from exc
        raise SystemFailureError(exc.message) from exc
    return SttJobResult(url=video.url, video_id=video.video_id, text=result.text)
