"""The turkic-api app on the platform kit (the original's HTTP API, port 8000).

- `POST /api/v1/jobs` (`requests.JobRequest`) -> 200 `{job_id, user_id, status:
  "queued", created_at}`; the job's status exists from that moment (one atomic
  enqueue on queue `turkic`).
- `GET /api/v1/jobs/{job_id}` -> `{job_id, user_id, status, progress, message,
  result_url, file_id, upload_status, created_at, updated_at, error}`; 404
  `JOB_NOT_FOUND` "Job not found".
- `GET /api/v1/jobs/{job_id}/result` -> the corpus streamed from data-bank-api
  (`Content-Disposition: attachment; filename="result_{job_id}.txt"`); 425
  `JOB_NOT_READY` while queued or running, 410 `JOB_FAILED` when the job failed or
  its file is gone from the data bank, 502 when the data bank fails.

Plus `/healthz`, `/readyz` (Redis PING, a live `turkic` worker, the data directory,
the language-ID model loaded) and `/openapi.json`. No authentication (as the
original). A Redis failure behind a route is 503 `SERVICE_UNAVAILABLE`.
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.responses import Response, StreamingResponse

from platform_core.blocking import run_blocking
from platform_core.data_bank_client import DataBankError, NotFoundError
from platform_core.errors import AppError, ErrorCode
from platform_core.health import NotReadyError, ReadinessCheck
from platform_core.health.redis_check import redis_ping
from platform_core.http import (
    Call,
    ErrorRule,
    NoBody,
    NoQuery,
    Route,
    create_app,
    get,
    maps,
    post,
)
from platform_core.http.redis_errors import STORE_UNAVAILABLE
from platform_workers.async_queue import (
    CorruptStatusError,
    Job,
    JobState,
    Queue,
    Task,
    TaskMismatchError,
)
from platform_workers.async_redis import RedisClient, open_redis
from platform_workers.queue_readiness import live_worker_check
from turkic_api.components import Components, open_components
from turkic_api.jobs import QUEUE, CorpusPayload, CorpusResult, corpus_task
from turkic_api.requests import JobRequest
from turkic_api.settings import TurkicSettings

SERVICE = "turkic-api"
TEXT_MEDIA = "text/plain; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Ctx:
    """What the handlers use: settings, components, the queue and its Redis client."""

    settings: TurkicSettings
    components: Components
    redis: RedisClient
    queue: Queue
    task: Task[CorpusPayload, CorpusResult]


class JobAccepted(BaseModel):
    """A queued corpus job."""

    job_id: str
    user_id: int
    status: Literal["queued"]
    created_at: datetime


class JobPath(BaseModel):
    """The job id in the path."""

    job_id: str = Field(min_length=1, max_length=128)


class JobView(BaseModel):
    """A corpus job's state (the original's fields)."""

    job_id: str
    user_id: int
    status: JobState
    progress: int
    message: str | None
    result_url: str | None
    file_id: str | None
    upload_status: Literal["uploaded"] | None
    created_at: datetime
    updated_at: datetime
    error: str | None


def _not_found() -> AppError:
    return AppError(ErrorCode.JOB_NOT_FOUND, "Job not found")


def _expired() -> AppError:
    return AppError(ErrorCode.JOB_FAILED, "Job result expired", HTTPStatus.GONE)


def _bank_failed(exc: DataBankError) -> AppError:
    return AppError(ErrorCode.EXTERNAL_SERVICE_ERROR, f"data bank failed: {exc}")


ERRORS: list[ErrorRule] = [
    # A job id of another task is no corpus job.
    maps(TaskMismatchError, lambda _: _not_found()),
    maps(NotFoundError, lambda _: _expired()),
    maps(DataBankError, _bank_failed),
    STORE_UNAVAILABLE,
]
"""How the domain's errors answer (`create_app(errors=...)`)."""


async def create_job(call: Call[Ctx, JobRequest]) -> JobAccepted:
    """Queue a corpus job; its status is readable at once."""
    job_id = str(uuid.uuid4())
    body = call.body
    await call.ctx.queue.enqueue(call.ctx.task, body.payload(), user_id=body.user_id, job_id=job_id)
    return JobAccepted(
        job_id=job_id, user_id=body.user_id, status="queued", created_at=datetime.now(UTC)
    )


async def _job(ctx: Ctx, job_id: str) -> Job[CorpusPayload, CorpusResult]:
    try:
        job = await ctx.queue.job(ctx.task, job_id)
    except CorruptStatusError as exc:
        raise AppError(ErrorCode.INTERNAL_ERROR, f"job {job_id} has a corrupt status") from exc
    if job is None:
        raise _not_found()
    return job


async def read_job(call: Call[Ctx, NoBody, NoQuery, JobPath]) -> JobView:
    """A corpus job's status, progress and, once completed, where its result is."""
    job_id = call.path.job_id
    job = await _job(call.ctx, job_id)
    result = job.result
    return JobView(
        job_id=job_id,
        user_id=job.user_id,
        status=job.status,
        progress=job.progress,
        message=job.message,
        result_url=f"/api/v1/jobs/{job_id}/result" if result is not None else None,
        file_id=result.file_id if result is not None else None,
        upload_status="uploaded" if result is not None else None,
        created_at=job.created_at,
        updated_at=job.updated_at,
        error=job.error or None,
    )


async def read_result(call: Call[Ctx, NoBody, NoQuery, JobPath]) -> Response:
    """The corpus, streamed from the data bank as it arrives."""
    job_id = call.path.job_id
    job = await _job(call.ctx, job_id)
    if job.status == "failed":
        raise AppError(ErrorCode.JOB_FAILED, "Job result not available", HTTPStatus.GONE)
    result = job.result
    if result is None:
        raise AppError(ErrorCode.JOB_NOT_READY, "Job not completed")
    stack = AsyncExitStack()
    download = await stack.enter_async_context(call.ctx.components.bank.stream(result.file_id))

    async def body() -> AsyncIterator[bytes]:
        async with stack:
            async for chunk in download.chunks:
                yield chunk

    return StreamingResponse(
        body(),
        media_type=download.head.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="result_{job_id}.txt"',
            "Content-Length": str(download.head.size),
        },
    )


def routes() -> list[Route[Ctx]]:
    """The service's own routes."""
    return [
        post("/api/v1/jobs").body(JobRequest, strict=False).returns(JobAccepted).to(create_job),
        get("/api/v1/jobs/{job_id}").path(JobPath).returns(JobView).to(read_job),
        get("/api/v1/jobs/{job_id}/result")
        .path(JobPath)
        .returns_raw(TEXT_MEDIA, description="The corpus, one sentence a line")
        .to(read_result),
    ]


def data_dir_check(data_dir: Path) -> ReadinessCheck:
    """Ready while the data directory exists (the original's "data volume not found")."""

    async def check() -> None:
        if not await run_blocking(data_dir.is_dir):
            raise NotReadyError("data volume not found")

    return check


def readiness(ctx: Ctx) -> list[ReadinessCheck]:
    """Redis answers PING, a `turkic` worker is live, the data directory exists (the
    language-ID model is loaded at startup: a server that started has it)."""
    return [
        redis_ping(ctx.redis),
        live_worker_check(ctx.queue),
        data_dir_check(ctx.settings.turkic_data_dir),
    ]


def build_app(settings: TurkicSettings) -> Starlette:
    """The ASGI app."""

    @asynccontextmanager
    async def resources(settings: TurkicSettings) -> AsyncIterator[Ctx]:
        async with (
            open_components(settings) as components,
            open_redis(
                settings.redis_url, socket_timeout_s=settings.turkic_redis_timeout_seconds
            ) as redis,
        ):
            queue = Queue(redis, QUEUE)
            yield Ctx(settings, components, redis, queue, corpus_task(settings))

    return create_app(
        service=SERVICE,
        settings=settings,
        resources=resources,
        routes=routes(),
        readiness=readiness,
        errors=ERRORS,
        description="Turkic corpus jobs: sources, language ID, IPA, streamed results.",
    )
