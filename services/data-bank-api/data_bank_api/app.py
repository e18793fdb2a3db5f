"""The HTTP API on the service kit: routes, the resources opened at startup, readiness.

| route | key scope | answers |
|---|---|---|
| `POST /files` | upload | 201 `FileInfo` |
| `GET /files/{file_id}` | read | 200 / 206 the content, 304, 416 |
| `HEAD /files/{file_id}` | read | 200 headers only, 304 |
| `GET /files/{file_id}/info` | read | 200 `FileInfo` |
| `DELETE /files/{file_id}` | delete | 204 (also when nothing was stored) |
| `POST /admin/verify` | delete | 202 `VerifyAccepted`: the integrity scrub is queued |
| `GET /admin/verify/{job_id}` | delete | 200 `VerifyStatus` |

Each route requires its scope (`api_keys`): the kit checks the `X-API-Key` first (401
missing, 403 wrong scope), before the file id (400) and before a byte of an upload's body
is read. Handlers raise the domain's errors; `api_errors.ERRORS` is how they answer.
"""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.responses import Response

from data_bank_api.api_errors import ERRORS
from data_bank_api.api_keys import Scope, api_keys
from data_bank_api.api_models import (
    FileInfo,
    FilePath,
    UploadForm,
    VerifyAccepted,
    VerifyPath,
    VerifyStatus,
)
from data_bank_api.downloads import BlobResponse, get_response, head_response
from data_bank_api.file_ids import parse_file_id
from data_bank_api.files import OS_FILES, FileLayer
from data_bank_api.free_space import FreeSpaceProbe, statvfs_free_bytes
from data_bank_api.jobs import QUEUE, SCRUB, ScrubRequest
from data_bank_api.multipart_upload import MULTIPART_FORM_DATA, boundary_of, receive_multipart
from data_bank_api.readiness import free_space_above_reserve, storage_writable
from data_bank_api.settings import DataBankSettings
from data_bank_api.storage import DEFAULT_CHUNK_BYTES, Storage, StorageConfig
from data_bank_api.storage_errors import FileTooLargeError, ObjectNotFoundError
from platform_core.errors import AppError, ErrorCode
from platform_core.health import ReadinessCheck
from platform_core.health.redis_check import redis_ping
from platform_core.http import (
    BodyStream,
    Call,
    NoBody,
    NoQuery,
    create_app,
    delete,
    get,
    head,
    post,
)
from platform_core.logging import log_fields
from platform_workers.async_queue import Queue
from platform_workers.async_redis import RedisClient, open_redis
from platform_workers.queue_readiness import live_worker_check

SERVICE = "data-bank-api"
MULTIPART_ALLOWANCE = 64 * 1024
"""How much larger than `MAX_FILE_BYTES` an upload's body may be (multipart framing)."""
STORED_MEDIA_TYPE = "*/*"
"""A download's documented media type: any, since it is the upload's part `Content-Type`."""

logger = logging.getLogger("data_bank_api")


@dataclass(frozen=True, slots=True)
class Collaborators:
    """What the app uses of the machine: the real filesystem unless a test injects faults."""

    files: FileLayer = field(default=OS_FILES)
    free_space: FreeSpaceProbe = field(default=statvfs_free_bytes)
    chunk_bytes: int = DEFAULT_CHUNK_BYTES


@dataclass(frozen=True, slots=True)
class Ctx:
    """What every handler gets as `call.ctx`."""

    settings: DataBankSettings
    storage: Storage
    redis: RedisClient
    queue: Queue


def body_limit(settings: DataBankSettings) -> int | None:
    """The largest upload body accepted: the file limit plus the multipart allowance."""
    limit = settings.file_limit
    return None if limit is None else limit + MULTIPART_ALLOWANCE


async def upload_file(call: Call[Ctx, BodyStream]) -> FileInfo:
    """Upload a file (multipart/form-data, one part named `file`).

    The content is stored under its SHA-256. Uploading content that is already stored
    does not rewrite it: the stored file's metadata (content type, created_at) is kept
    and returned.
    """
    ctx = call.ctx
    boundary = boundary_of(call.body.content_type)
    declared = call.body.content_length
    limit = body_limit(ctx.settings)
    if limit is not None and declared is not None and declared > limit:
        raise FileTooLargeError(ctx.settings.max_file_bytes)
    async with ctx.storage.upload(expected_bytes=declared or 0) as upload:
        committed = await receive_multipart(call.body, boundary, upload)
    stored = committed.file
    logger.info(
        "file stored",
        extra=log_fields(
            file_id=stored.file_id, size=stored.size, deduplicated=committed.deduplicated
        ),
    )
    return FileInfo.of(stored)


async def download_file(call: Call[Ctx, NoBody, NoQuery, FilePath]) -> Response:
    """Download a file, whole or one byte range (RFC 9110); honours If-None-Match."""
    blob = await call.ctx.storage.open(parse_file_id(call.path.file_id))
    try:
        response = get_response(blob, call.headers)
    except BaseException:
        await blob.close()
        raise
    if not isinstance(response, BlobResponse):
        await blob.close()
    return response


async def head_file(call: Call[Ctx, NoBody, NoQuery, FilePath]) -> Response:
    """The headers a GET of the file would have, without the content."""
    stored = await call.ctx.storage.describe(parse_file_id(call.path.file_id))
    return head_response(stored, call.headers)


async def file_info(call: Call[Ctx, NoBody, NoQuery, FilePath]) -> FileInfo:
    """A file's metadata."""
    stored = await call.ctx.storage.describe(parse_file_id(call.path.file_id))
    return FileInfo.of(stored)


async def delete_file(call: Call[Ctx, NoBody, NoQuery, FilePath]) -> None:
    """Delete a file (204, also when it was not stored, unless DELETE_STRICT_404)."""
    file_id = parse_file_id(call.path.file_id)
    existed = await call.ctx.storage.delete(file_id)
    if not existed and call.ctx.settings.delete_strict_404:
        raise ObjectNotFoundError(file_id)
    logger.info("file deleted", extra=log_fields(file_id=file_id, existed=existed))


async def start_verify(call: Call[Ctx]) -> VerifyAccepted:
    """Queue the integrity scrub: every stored object is re-hashed and checked."""
    job = await call.ctx.queue.enqueue(SCRUB, ScrubRequest(), user_id=0)
    logger.info("scrub queued", extra=log_fields(scrub_job=job.job_id))
    return VerifyAccepted(job_id=job.job_id, status="queued")


async def verify_status(call: Call[Ctx, NoBody, NoQuery, VerifyPath]) -> VerifyStatus:
    """The scrub job's status, and its findings once it has completed."""
    job = await call.ctx.queue.job(SCRUB, call.path.job_id)
    if job is None:
        raise AppError(ErrorCode.JOB_NOT_FOUND, "job not found")
    return VerifyStatus(
        job_id=job.job_id,
        status=job.status,
        progress=job.progress,
        message=job.message,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        report=job.result,
        error=job.error,
    )


def resources(
    collaborators: Collaborators,
) -> Callable[[DataBankSettings], AbstractAsyncContextManager[Ctx]]:
    """Open the store (finishing what a crash interrupted) and Redis; close Redis at the end."""

    @asynccontextmanager
    async def open_all(settings: DataBankSettings) -> AsyncIterator[Ctx]:
        storage = Storage(
            StorageConfig(
                root=settings.data_root,
                reserve_bytes=settings.reserve_bytes,
                max_file_bytes=settings.file_limit,
                chunk_bytes=collaborators.chunk_bytes,
                files=collaborators.files,
                free_space=collaborators.free_space,
            )
        )
        try:
            recovery = await storage.start()
            logger.info(
                "storage ready",
                extra=log_fields(
                    data_root=str(settings.data_root),
                    temporary_files_removed=recovery.temporary_files,
                    unfinished_objects_removed=recovery.unfinished_objects,
                ),
            )
            async with open_redis(settings.redis_url) as redis:
                yield Ctx(settings, storage, redis, Queue(redis, QUEUE))
        finally:
            await storage.close()

    return open_all


def readiness(ctx: Ctx) -> list[ReadinessCheck]:
    """Redis answers, a worker serves the queue, the store is writable and has room."""
    return [
        redis_ping(ctx.redis),
        live_worker_check(ctx.queue),
        storage_writable(ctx.storage),
        free_space_above_reserve(ctx.storage),
    ]


def build_app(settings: DataBankSettings, collaborators: Collaborators | None = None) -> Starlette:
    """The data-bank-api app for `settings` (and, in tests, injected collaborators)."""
    files = "/files/{file_id}"
    return create_app(
        service=SERVICE,
        settings=settings,
        resources=resources(collaborators or Collaborators()),
        routes=[
            post("/files")
            .requires(Scope.UPLOAD)
            .stream(MULTIPART_FORM_DATA, max_bytes=body_limit(settings), schema=UploadForm)
            .returns(FileInfo, status=201)
            .to(upload_file),
            get(files)
            .requires(Scope.READ)
            .path(FilePath)
            .returns_raw(
                STORED_MEDIA_TYPE,
                description="The file's content",
                also={206: "One byte range of the content", 304: "Not modified"},
            )
            .to(download_file),
            head(files)
            .requires(Scope.READ)
            .path(FilePath)
            .returns_raw(STORED_MEDIA_TYPE, also={304: "Not modified"})
            .to(head_file),
            get(files + "/info")
            .requires(Scope.READ)
            .path(FilePath)
            .returns(FileInfo)
            .to(file_info),
            delete(files)
            .requires(Scope.DELETE)
            .path(FilePath)
            .returns_empty(status=204)
            .to(delete_file),
            post("/admin/verify")
            .requires(Scope.DELETE)
            .returns(VerifyAccepted, status=202)
            .to(start_verify),
            get("/admin/verify/{job_id}")
            .requires(Scope.DELETE)
            .path(VerifyPath)
            .returns(VerifyStatus)
            .to(verify_status),
        ],
        readiness=readiness,
        auth=api_keys(settings),
        errors=ERRORS,
        description="A content-addressed file store (see services/data-bank-api/README.md).",
    )
