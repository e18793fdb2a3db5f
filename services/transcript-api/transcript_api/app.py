"""The transcript-api app on the platform kit.

- `POST /v1/captions` `{url, preferred_langs?}` -> `{url, video_id, text}` from YouTube's
  captions (no Redis involved).
- `POST /v1/stt` `{url}` -> the same from speech-to-text, for videos up to
  `TRANSCRIPT_SYNC_STT_MAX_SECONDS` (413 above, pointing at the job API).
- `POST /v1/stt/jobs` `{url, user_id}` -> 202 `{job_id, user_id, status: "queued", url}`;
  the job's status exists from that moment (one atomic enqueue).
- `GET /v1/stt/jobs/{job_id}` -> `{job_id, user_id, status, progress, message, url,
  video_id, error, text}` (`text` once completed).

Plus the kit's `/healthz`, `/readyz` (Redis PING, then a live worker) and
`/openapi.json`. The handlers raise the domain's errors; `ERRORS` is how they answer:
input errors 400, no captions 404, YouTube or Whisper failing 502 (504 on a Whisper
timeout), a Redis failure on the job endpoints 503 `SERVICE_UNAVAILABLE` (Redis calls
are bounded by `TRANSCRIPT_REDIS_TIMEOUT_SECONDS`, so they never hang).
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictInt, model_validator
from starlette.applications import Starlette

from platform_core.errors import AppError, ErrorCode
from platform_core.health import ReadinessCheck
from platform_core.health.redis_check import redis_ping
from platform_core.http import (
    Call,
    ErrorRule,
    NoBody,
    NoQuery,
    Reply,
    Route,
    create_app,
    get,
    maps,
    post,
)
from platform_core.http.redis_errors import STORE_UNAVAILABLE
from platform_workers.async_queue import (
    CorruptStatusError,
    JobState,
    Queue,
    Task,
    TaskMismatchError,
)
from platform_workers.async_redis import RedisClient, open_redis
from platform_workers.queue_readiness import live_worker_check
from transcript_api.components import Components, open_components
from transcript_api.errors import (
    TranscriptInputError,
    TranscriptUnavailableError,
    UpstreamError,
    UpstreamTimeoutError,
)
from transcript_api.jobs import QUEUE, SttJobResult, SttPayload, stt_task
from transcript_api.settings import TranscriptSettings
from transcript_api.stt import no_progress
from transcript_api.urls import parse_youtube_url
from transcript_api.ytdlp import YtDlpModule

SERVICE = "transcript-api"


@dataclass(frozen=True, slots=True)
class Ctx:
    """What the handlers use: settings, adapters, the queue and its Redis client."""

    settings: TranscriptSettings
    components: Components
    redis: RedisClient
    queue: Queue
    task: Task[SttPayload, SttJobResult]


class CaptionsRequest(BaseModel):
    """`POST /v1/captions`: a YouTube URL and, optionally, caption languages in order of
    preference (default: `TRANSCRIPT_PREFERRED_LANGS`)."""

    model_config = ConfigDict(frozen=True)

    url: str
    preferred_langs: list[str] | None = None


class SttRequest(BaseModel):
    """`POST /v1/stt`: a YouTube URL."""

    model_config = ConfigDict(frozen=True)

    url: str


MSG_NOT_AN_OBJECT = "Request body must be a JSON object"
MSG_URL_REQUIRED = "url is required"
MSG_USER_ID = "user_id must be an integer"


class SttJobRequest(BaseModel):
    """`POST /v1/stt/jobs`: a YouTube URL and the requesting user's id.

    Client mistakes get the original's 400 `INVALID_INPUT` messages, checked in its
    order: a body that is not a JSON object, then a missing, non-string or blank `url`
    (`url is required`), then a `user_id` that is not a JSON integer (`user_id must be
    an integer`; unlike the original, a boolean is not an integer here).
    """

    model_config = ConfigDict(frozen=True)

    url: str
    user_id: StrictInt

    @model_validator(mode="before")
    @classmethod
    def _original_messages(cls, data: JsonValue) -> JsonValue:
        if not isinstance(data, dict):
            raise AppError(ErrorCode.INVALID_INPUT, MSG_NOT_AN_OBJECT)
        url = data.get("url")
        if not isinstance(url, str) or not url.strip():
            raise AppError(ErrorCode.INVALID_INPUT, MSG_URL_REQUIRED)
        user_id = data.get("user_id")
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            raise AppError(ErrorCode.INVALID_INPUT, MSG_USER_ID)
        return data


class TranscriptResponse(BaseModel):
    """A transcript: the canonical URL, the video id and the text."""

    url: str
    video_id: str
    text: str


class JobAccepted(BaseModel):
    """A queued STT job."""

    job_id: str
    user_id: int
    status: Literal["queued"]
    url: str


class JobPath(BaseModel):
    """The job id in the path."""

    job_id: str = Field(min_length=1, max_length=128)


class JobView(BaseModel):
    """An STT job's state; `text` is set once it is `completed`, `error` once `failed`."""

    job_id: str
    user_id: int
    status: JobState
    progress: int
    message: str | None
    url: str
    video_id: str | None
    error: str | None
    text: str | None


def _not_found() -> AppError:
    return AppError(ErrorCode.NOT_FOUND, "Job not found")


ERRORS: list[ErrorRule] = [
    maps(TranscriptInputError, lambda exc: AppError(exc.code, exc.message, HTTPStatus.BAD_REQUEST)),
    maps(
        TranscriptUnavailableError,
        lambda exc: AppError(exc.code, exc.message, HTTPStatus.NOT_FOUND),
    ),
    maps(UpstreamError, lambda exc: AppError(exc.code, exc.message, HTTPStatus.BAD_GATEWAY)),
    maps(
        UpstreamTimeoutError,
        lambda exc: AppError(exc.code, exc.message, HTTPStatus.GATEWAY_TIMEOUT),
    ),
    # A job id of another task is no STT job.
    maps(TaskMismatchError, lambda _: _not_found()),
    STORE_UNAVAILABLE,
]
"""How the domain's errors answer (`create_app(errors=...)`)."""


async def captions(call: Call[Ctx, CaptionsRequest]) -> TranscriptResponse:
    """Transcript text from the video's YouTube captions.

    Manual captions before automatic ones; the first preferred language that exists,
    else the first available. No captions: 404 `TRANSCRIPT_UNAVAILABLE`.
    """
    video = parse_youtube_url(call.body.url)
    langs = call.body.preferred_langs or call.ctx.settings.transcript_preferred_langs
    text = await call.ctx.components.captions.text(video, langs)
    return TranscriptResponse(url=video.url, video_id=video.video_id, text=text)


async def stt_sync(call: Call[Ctx, SttRequest]) -> TranscriptResponse:
    """Speech-to-text of a short video, answered in the request.

    Videos longer than `TRANSCRIPT_SYNC_STT_MAX_SECONDS` are refused with 413: use
    `POST /v1/stt/jobs`.
    """
    video = parse_youtube_url(call.body.url)
    pipeline = call.ctx.components.stt
    probed = await pipeline.probe(video)
    limit = call.ctx.settings.transcript_sync_stt_max_seconds
    if probed.duration_s > limit:
        raise AppError(
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"Video is longer than {limit} seconds, the limit of POST /v1/stt: "
            "use POST /v1/stt/jobs",
        )
    result = await pipeline.transcribe(probed, no_progress)
    return TranscriptResponse(url=video.url, video_id=video.video_id, text=result.text)


async def create_job(call: Call[Ctx, SttJobRequest]) -> Reply[JobAccepted]:
    """Queue a speech-to-text job; its status is readable at once."""
    video = parse_youtube_url(call.body.url)
    job_id = str(uuid.uuid4())
    payload = SttPayload(url=video.url, video_id=video.video_id)
    await call.ctx.queue.enqueue(call.ctx.task, payload, user_id=call.body.user_id, job_id=job_id)
    accepted = JobAccepted(job_id=job_id, user_id=call.body.user_id, status="queued", url=video.url)
    return Reply(accepted, status=HTTPStatus.ACCEPTED)


async def read_job(call: Call[Ctx, NoBody, NoQuery, JobPath]) -> JobView:
    """An STT job's status, progress and, once completed, its text."""
    job_id = call.path.job_id
    try:
        job = await call.ctx.queue.job(call.ctx.task, job_id)
    except CorruptStatusError as exc:
        # The table cannot say which job: the message names it.
        raise AppError(ErrorCode.INTERNAL_ERROR, f"job {job_id} has a corrupt status") from exc
    if job is None:
        raise _not_found()
    result = job.result
    return JobView(
        job_id=job_id,
        user_id=job.user_id,
        status=job.status,
        progress=job.progress,
        message=job.message,
        url=job.payload.url,
        video_id=job.payload.video_id,
        error=job.error or None,
        text=result.text if result is not None else None,
    )


def routes() -> list[Route[Ctx]]:
    """The service's own routes."""
    return [
        post("/v1/captions").body(CaptionsRequest).returns(TranscriptResponse).to(captions),
        post("/v1/stt").body(SttRequest).returns(TranscriptResponse).to(stt_sync),
        post("/v1/stt/jobs").body(SttJobRequest).returns(JobAccepted, status=202).to(create_job),
        get("/v1/stt/jobs/{job_id}").path(JobPath).returns(JobView).to(read_job),
    ]


def readiness(ctx: Ctx) -> list[ReadinessCheck]:
    """Redis answers PING, then at least one worker serves the `transcript` queue."""
    return [redis_ping(ctx.redis), live_worker_check(ctx.queue)]


def build_app(settings: TranscriptSettings, yt_dlp: YtDlpModule | None = None) -> Starlette:
    """The ASGI app (`yt_dlp`: the yt-dlp module, default the installed one)."""

    @asynccontextmanager
    async def resources(settings: TranscriptSettings) -> AsyncIterator[Ctx]:
        async with (
            open_components(settings, yt_dlp, warm=True) as components,
            open_redis(
                settings.redis_url, socket_timeout_s=settings.transcript_redis_timeout_seconds
            ) as redis,
        ):
            queue = Queue(redis, QUEUE)
            yield Ctx(settings, components, redis, queue, stt_task(settings))

    return create_app(
        service=SERVICE,
        settings=settings,
        resources=resources,
        routes=routes(),
        readiness=readiness,
        errors=ERRORS,
        description="YouTube captions and speech-to-text (Whisper) as queued jobs.",
    )
