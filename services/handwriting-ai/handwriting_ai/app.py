"""The handwriting-ai app on the platform kit (the original's API, bugs fixed).

- `POST /v1/read` (alias `/v1/predict`), key required: multipart with one `file` part
  (PNG/JPEG) and optional `invert`/`center`/`visualize` as form fields or query
  parameters -> `{digit, confidence, probs, model_id, visual_png_b64, uncertain,
  latency_ms}`. Checks in the original's order (`handwriting_ai.reading`); decoding,
  preprocessing and inference run in a thread pool; past
  `DIGITS__PREDICT_TIMEOUT_SECONDS` the answer is 504 and the thread stops at its next
  stage; 503 while no model is loaded.
- `GET /v1/models/active`: the served model's manifest fields, or `model_loaded: false`.
- `POST /v1/admin/models/upload`, key required: multipart `model_id`, `activate`,
  `manifest` (JSON v2.0) and `model` (a state dict); an activated model is loaded and
  checked before it replaces the served one.
- `POST /api/v1/training/jobs`, key required: 202 and the job on queue `digits`;
  `GET /api/v1/training/jobs/{job_id}`: its status, progress, message and result.
- `/healthz`, `/readyz` (Redis PING, a live `digits` worker, a model loaded), `/openapi.json`.
"""

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt
from starlette.applications import Starlette

from handwriting_ai.errors import (
    ModelMissingError,
    PredictTimeoutError,
    ReadInputError,
    TooLargeError,
    UnsupportedMediaError,
    invalid_model,
    malformed,
    preprocessing_failed,
)
from handwriting_ai.forms import Part, read_form
from handwriting_ai.jobs import QUEUE, TrainPayload, TrainResult, train_task
from handwriting_ai.manifest import ManifestError, check_fits, parse_manifest
from handwriting_ai.model import validate_state_dict
from handwriting_ai.preprocess import Options
from handwriting_ai.reading import ReadLimits, ReadResult, check_form, read_digit
from handwriting_ai.serving import Reloader
from handwriting_ai.settings import MB, HandwritingSettings
from handwriting_ai.store import ModelSlot, ModelStore
from platform_core.blocking import run_blocking, run_in, run_stoppable
from platform_core.errors import AppError, ErrorCode
from platform_core.health import NotReadyError, ReadinessCheck
from platform_core.health.redis_check import redis_ping
from platform_core.http import (
    BodyStream,
    Call,
    ErrorRule,
    NoBody,
    NoQuery,
    Reply,
    Route,
    api_key_auth,
    create_app,
    get,
    maps,
    post,
)
from platform_core.http.redis_errors import STORE_UNAVAILABLE
from platform_ml import WeightsError, load_state_dict
from platform_workers.async_queue import (
    CorruptStatusError,
    JobState,
    Queue,
    Task,
    TaskMismatchError,
)
from platform_workers.async_redis import RedisClient, open_redis
from platform_workers.queue_readiness import live_worker_check

SERVICE = "handwriting-ai"
FORM_ALLOWANCE = 64 * 1024
"""Bytes a multipart body may hold beyond its file (boundaries, headers, fields)."""


@dataclass(frozen=True, slots=True)
class Ctx:
    """What the handlers use."""

    settings: HandwritingSettings
    redis: RedisClient
    queue: Queue
    task: Task[TrainPayload, TrainResult]
    store: ModelStore
    slot: ModelSlot
    executor: ThreadPoolExecutor
    limits: ReadLimits


class ReadQuery(BaseModel):
    """`/v1/read` options as query parameters (form fields of the same names win)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    invert: bool | None = None
    center: bool = True
    visualize: bool = False


class ReadResponse(BaseModel):
    """A classified digit."""

    digit: int
    confidence: float
    probs: list[float]
    model_id: str
    visual_png_b64: str | None
    uncertain: bool
    latency_ms: int


class ActiveModel(BaseModel):
    """The served model (`model_loaded: false` and nulls when none is)."""

    model_loaded: bool
    model_id: str | None
    arch: str | None = None
    n_classes: int | None = None
    version: str | None = None
    created_at: str | None = None
    schema_version: str | None = None
    val_acc: float | None = None
    temperature: float | None = None


class UploadResponse(BaseModel):
    """An installed model."""

    ok: Literal[True]
    model_id: str
    run_id: str


class TrainRequest(BaseModel):
    """`POST /api/v1/training/jobs` (unknown keys, such as the original's `device`, are
    ignored)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    user_id: StrictInt
    model_id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    epochs: Annotated[StrictInt, Field(ge=1)]
    batch_size: Annotated[StrictInt, Field(ge=1)]
    lr: Annotated[float, Field(gt=0)]
    seed: StrictInt
    augment: StrictBool = False
    notes: str | None = None
    activate: StrictBool = False


class TrainAccepted(BaseModel):
    """A queued training job."""

    job_id: str
    request_id: str
    user_id: int
    model_id: str
    status: Literal["queued"]


class JobPath(BaseModel):
    """The job id in the path."""

    job_id: str = Field(min_length=1, max_length=128)


class TrainJobView(BaseModel):
    """A training job: state, progress and, once completed, its result."""

    job_id: str
    user_id: int
    model_id: str
    status: JobState
    progress: int
    message: str | None
    error: str | None
    result: TrainResult | None


ERRORS: list[ErrorRule] = [
    maps(ReadInputError, lambda exc: AppError(exc.code, exc.message, HTTPStatus.BAD_REQUEST)),
    maps(
        UnsupportedMediaError,
        lambda exc: AppError(exc.code, exc.message, HTTPStatus.UNSUPPORTED_MEDIA_TYPE),
    ),
    maps(
        TooLargeError,
        lambda exc: AppError(exc.code, exc.message, HTTPStatus.REQUEST_ENTITY_TOO_LARGE),
    ),
    maps(
        ModelMissingError,
        lambda exc: AppError(exc.code, exc.message, HTTPStatus.SERVICE_UNAVAILABLE),
    ),
    maps(
        PredictTimeoutError, lambda exc: AppError(exc.code, exc.message, HTTPStatus.GATEWAY_TIMEOUT)
    ),
    maps(TaskMismatchError, lambda _: AppError(ErrorCode.NOT_FOUND, "Job not found")),
    STORE_UNAVAILABLE,
]
"""How the domain's errors answer (`create_app(errors=...)`)."""


async def read(call: Call[Ctx, BodyStream, ReadQuery]) -> ReadResponse:
    """Classify one handwritten digit."""
    ctx = call.ctx
    parts = await read_form(call.body.content_type, call.body)
    query = Options(call.query.invert, call.query.center, call.query.visualize)
    data, options = check_form(parts, query, ctx.limits)
    model = ctx.slot.current
    if model is None:
        raise ModelMissingError()
    stop = threading.Event()
    try:
        async with asyncio.timeout(ctx.settings.predict_timeout_seconds):
            result: ReadResult = await run_stoppable(
                ctx.executor, stop.set, read_digit, data, options, model, ctx.limits, stop.is_set
            )
    except TimeoutError:
        raise PredictTimeoutError() from None
    return ReadResponse(
        digit=result.digit,
        confidence=result.confidence,
        probs=result.probs,
        model_id=result.model_id,
        visual_png_b64=result.visual_png_b64,
        uncertain=result.uncertain,
        latency_ms=result.latency_ms,
    )


async def predict(call: Call[Ctx, BodyStream, ReadQuery]) -> ReadResponse:
    """`POST /v1/predict`: the original's alias of `/v1/read`."""
    return await read(call)


async def active_model(call: Call[Ctx]) -> ActiveModel:
    """What the served model is."""
    model = call.ctx.slot.current
    if model is None:
        return ActiveModel(model_loaded=False, model_id=None)
    manifest = model.manifest
    return ActiveModel(
        model_loaded=True,
        model_id=model.model_id,
        arch=manifest.arch,
        n_classes=manifest.n_classes,
        version="2.0",
        created_at=manifest.created_at.isoformat(),
        schema_version=manifest.schema_version,
        val_acc=manifest.val_acc,
        temperature=1.0,
    )


def _one(parts: list[Part], name: str) -> Part:
    found = [part for part in parts if part.name == name]
    if len(found) != 1:
        raise malformed(f"{name} is required (once)")
    return found[0]


def _check_weights(data: bytes, n_classes: int) -> None:
    try:
        validate_state_dict(load_state_dict(data), n_classes)
    except WeightsError as exc:
        raise invalid_model(f"Invalid model file: {exc}") from exc


async def upload_model(call: Call[Ctx, BodyStream]) -> UploadResponse:
    """Install a model; with `activate`, load it and serve it from now on."""
    ctx = call.ctx
    parts = await read_form(call.body.content_type, call.body)
    allowed = {"model_id", "activate", "manifest", "model"}
    if any(part.name not in allowed for part in parts):
        raise malformed("Unexpected form field")
    model_id = _one(parts, "model_id").text.strip()
    activate_parts = [part for part in parts if part.name == "activate"]
    activate = bool(activate_parts) and activate_parts[0].text.strip().lower() in (
        "1",
        "true",
        "yes",
        "y",
        "on",
    )
    try:
        manifest = parse_manifest(bytes(_one(parts, "manifest").data))
        check_fits(manifest, model_id)
    except ManifestError as exc:
        raise preprocessing_failed(str(exc)) from exc
    weights = bytes(_one(parts, "model").data)
    if not weights:
        raise invalid_model()
    await run_in(ctx.executor, _check_weights, weights, manifest.n_classes)
    await run_blocking(ctx.store.install, model_id, manifest.to_json(), weights)
    if activate:
        # The weights and the manifest were checked above: a failure here is the disk's.
        ctx.slot.swap(await run_blocking(ctx.store.load, model_id))
        await run_blocking(ctx.store.activate, model_id)
    return UploadResponse(ok=True, model_id=model_id, run_id=manifest.created_at.isoformat())


async def create_training_job(call: Call[Ctx, TrainRequest]) -> Reply[TrainAccepted]:
    """Queue a training job; its status is readable at once."""
    body = call.body
    job_id = str(uuid.uuid4())
    payload = TrainPayload(
        request_id=job_id,
        model_id=body.model_id,
        epochs=body.epochs,
        batch_size=body.batch_size,
        lr=body.lr,
        seed=body.seed,
        augment=body.augment,
        notes=body.notes,
        activate=body.activate,
    )
    await call.ctx.queue.enqueue(call.ctx.task, payload, user_id=body.user_id, job_id=job_id)
    accepted = TrainAccepted(
        job_id=job_id,
        request_id=job_id,
        user_id=body.user_id,
        model_id=body.model_id,
        status="queued",
    )
    return Reply(accepted, status=HTTPStatus.ACCEPTED)


async def read_training_job(call: Call[Ctx, NoBody, NoQuery, JobPath]) -> TrainJobView:
    """A training job's status, progress and result."""
    job_id = call.path.job_id
    try:
        job = await call.ctx.queue.job(call.ctx.task, job_id)
    except CorruptStatusError as exc:
        raise AppError(ErrorCode.INTERNAL_ERROR, f"job {job_id} has a corrupt status") from exc
    if job is None:
        raise AppError(ErrorCode.NOT_FOUND, "Job not found")
    return TrainJobView(
        job_id=job_id,
        user_id=job.user_id,
        model_id=job.payload.model_id,
        status=job.status,
        progress=job.progress,
        message=job.message,
        error=job.error or None,
        result=job.result,
    )


def routes(settings: HandwritingSettings) -> list[Route[Ctx]]:
    """The service's own routes."""
    image_limit = settings.max_image_bytes + FORM_ALLOWANCE
    model_limit = int(settings.max_model_mb * MB) + FORM_ALLOWANCE
    reads = [
        post(path)
        .requires("api")
        .stream("multipart/form-data", max_bytes=image_limit)
        .query(ReadQuery)
        .returns(ReadResponse)
        .to(handler)
        for path, handler in (("/v1/read", read), ("/v1/predict", predict))
    ]
    return [
        *reads,
        get("/v1/models/active").returns(ActiveModel).to(active_model),
        post("/v1/admin/models/upload")
        .requires("api")
        .stream("multipart/form-data", max_bytes=model_limit)
        .returns(UploadResponse)
        .to(upload_model),
        post("/api/v1/training/jobs")
        .requires("api")
        .body(TrainRequest)
        .returns(TrainAccepted, status=202)
        .to(create_training_job),
        get("/api/v1/training/jobs/{job_id}")
        .requires("api")
        .path(JobPath)
        .returns(TrainJobView)
        .to(read_training_job),
    ]


def readiness(ctx: Ctx) -> list[ReadinessCheck]:
    """Redis answers PING, a `digits` worker is alive, a model is loaded."""

    async def model_loaded() -> None:
        if ctx.slot.current is None:
            raise NotReadyError("model not loaded")

    return [redis_ping(ctx.redis), live_worker_check(ctx.queue), model_loaded]


def read_limits(settings: HandwritingSettings) -> ReadLimits:
    """The read limits from the settings."""
    return ReadLimits(
        max_bytes=settings.max_image_bytes,
        max_side_px=settings.max_image_side_px,
        max_pixels=settings.max_image_pixels,
        visualize_max_kb=settings.visualize_max_kb,
        uncertain_threshold=settings.uncertain_threshold,
        tta=settings.tta,
    )


def build_app(settings: HandwritingSettings) -> Starlette:
    """The ASGI app."""

    @asynccontextmanager
    async def resources(settings: HandwritingSettings) -> AsyncIterator[Ctx]:
        store = ModelStore(settings.model_dir)
        slot = ModelSlot()
        reloader = Reloader(store, slot, settings.active_model)
        executor = ThreadPoolExecutor(settings.inference_threads, thread_name_prefix="digits")
        try:
            async with (
                open_redis(
                    settings.redis_url, socket_timeout_s=settings.redis_timeout_seconds
                ) as redis,
                reloader.running(settings.reload_interval_seconds),
            ):
                yield Ctx(
                    settings=settings,
                    redis=redis,
                    queue=Queue(redis, QUEUE),
                    task=train_task(settings),
                    store=store,
                    slot=slot,
                    executor=executor,
                    limits=read_limits(settings),
                )
        finally:
            await run_blocking(executor.shutdown, wait=True)

    return create_app(
        service=SERVICE,
        settings=settings,
        resources=resources,
        routes=routes(settings),
        readiness=readiness,
        auth=api_key_auth(settings),
        errors=ERRORS,
        description="Handwritten digit recognition; training as queued jobs.",
    )
