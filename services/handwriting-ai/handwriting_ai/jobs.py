"""The training job: its task declaration (shared by API and worker) and its handler.

Task `handwriting_ai.jobs.digits.process_train_job` (the original's function reference)
on queue `digits`. The handler loads the MNIST IDX files from `APP__DATA_ROOT/mnist` (no
downloads), sizes the batch from the cgroup limits, trains in a thread (cancellation
stops it before the next batch), writes `model.pt` and a v2 manifest under
`APP__ARTIFACTS_ROOT/digits/models/<model_id>/`, uploads the weights as
`<model_id>.tar.gz` (root `<model_id>/`) to data-bank-api, records the tarball on the
manifest and the job's result and, when asked to, activates the model for the API.
Events: `digits.metrics.*.v1` beside the queue's `digits.job.*.v1` lifecycle events.
"""

import asyncio
import datetime
import io
import os
import pathlib
import secrets
import tarfile
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from handwriting_ai.idx import IdxError, load_mnist
from handwriting_ai.manifest import Manifest, TrainingInfo
from handwriting_ai.preprocess import SIGNATURE
from handwriting_ai.settings import MB, HandwritingSettings
from handwriting_ai.store import MANIFEST_FILE, MODEL_FILE, ModelStore, write_atomic
from handwriting_ai.training import (
    BatchMetrics,
    EpochMetrics,
    Outcome,
    Prepared,
    TrainConfig,
    prepare_split,
    train,
)
from handwriting_ai_events import (
    DigitsEvent,
    DigitsMetricsArtifact,
    DigitsMetricsBatch,
    DigitsMetricsBest,
    DigitsMetricsCompleted,
    DigitsMetricsConfig,
    DigitsMetricsEpoch,
    DigitsMetricsUpload,
)
from platform_core.async_events import Domain
from platform_core.blocking import run_blocking, run_stoppable
from platform_core.data_bank_client import DataBankClient, DataBankError
from platform_ml import (
    Compute,
    LoaderPlan,
    MemoryGuard,
    MemoryPressureError,
    Resources,
    configure_threads,
    plan_loader,
    read_memory_usage,
    read_resources,
    select_compute,
    state_dict_bytes,
)
from platform_workers.async_queue import JobContext, ResultRef, SystemFailureError, Task

QUEUE: Domain = "digits"
TASK_NAME = "handwriting_ai.jobs.digits.process_train_job"


class TrainPayload(BaseModel):
    """A training job (the original's `digits.train.v1` dict, plus `activate`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    type: Literal["digits.train.v1"] = "digits.train.v1"
    request_id: Annotated[str, Field(min_length=1)]
    model_id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    epochs: Annotated[int, Field(ge=1)]
    batch_size: Annotated[int, Field(ge=1)]
    lr: Annotated[float, Field(gt=0)]
    seed: int
    augment: bool = False
    notes: str | None = None
    activate: bool = False


class TrainResult(BaseModel):
    """A finished job: the model, its accuracy and where its weights are."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model_id: str
    val_acc: float
    best_epoch: int
    epochs: int
    batch_size: int
    file_id: str
    file_size: int
    file_sha256: str
    activated: bool


def describe(result: TrainResult, job_id: str) -> ResultRef:
    """The `completed` event's result: the tarball's data-bank id and size."""
    del job_id
    return ResultRef(result_id=result.file_id, result_bytes=result.file_size)


def train_task(settings: HandwritingSettings) -> Task[TrainPayload, TrainResult]:
    """The task with the configured timeout and result TTL."""
    return Task(
        TASK_NAME,
        TrainPayload,
        TrainResult,
        timeout_s=settings.job_timeout_seconds,
        result_ttl_s=settings.result_ttl_seconds,
        describe=describe,
    )


Publish = Callable[[DigitsEvent], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class TrainDeps:
    """What the handler uses besides its payload."""

    settings: HandwritingSettings
    publish: Publish
    resources: Callable[[], Resources] = read_resources
    memory_usage: Callable[[], int | None] = read_memory_usage
    has_cuda: bool | None = None


def progress_percent(epoch: int, batch: int, total_batches: int, epochs: int) -> int:
    """The original's progress: min(99, ((epoch-1)/E + batch/(batches*E)) * 100)."""
    return min(99, int(((epoch - 1) / epochs + batch / (total_batches * epochs)) * 100))


def _rss_mb() -> int:
    statm = pathlib.Path("/proc/self/statm").read_text(encoding="ascii").split()
    return int(statm[1]) * os.sysconf("SC_PAGE_SIZE") // MB


class _Hooks:
    """The loop's hooks: events and progress posted to the event loop from the training
    thread (each waits for its Redis call), the stop flag, the memory guard."""

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop,
        deps: TrainDeps,
        ctx: JobContext,
        payload: TrainPayload,
        stop: threading.Event,
        guard: MemoryGuard,
    ) -> None:
        self._loop = loop
        self._deps = deps
        self._ctx = ctx
        self._payload = payload
        self._stop = stop
        self._guard = guard

    def _run(self, call: Awaitable[None]) -> None:
        asyncio.run_coroutine_threadsafe(_awaited(call), self._loop).result()

    def _common(self) -> tuple[str, int, str]:
        return self._ctx.job_id, self._ctx.user_id, self._payload.model_id

    def should_stop(self) -> bool:
        self._guard.check()
        return self._stop.is_set()

    def on_batch(self, metrics: BatchMetrics) -> None:
        job_id, user_id, model_id = self._common()
        limit = self._guard.limit or 0
        usage = self._deps.memory_usage() or 0
        event = DigitsMetricsBatch(
            job_id=job_id,
            user_id=user_id,
            model_id=model_id,
            epoch=metrics.epoch,
            total_epochs=self._payload.epochs,
            batch=metrics.batch,
            total_batches=metrics.total_batches,
            batch_loss=metrics.batch_loss,
            batch_acc=metrics.batch_acc,
            avg_loss=metrics.avg_loss,
            samples_per_sec=metrics.samples_per_sec,
            main_rss_mb=_rss_mb(),
            workers_rss_mb=0,
            worker_count=0,
            cgroup_usage_mb=usage // MB,
            cgroup_limit_mb=limit // MB,
            cgroup_pct=0.0 if limit == 0 else round(100.0 * usage / limit, 1),
            anon_mb=0,
            file_mb=0,
        )
        percent = progress_percent(
            metrics.epoch, metrics.batch, metrics.total_batches, self._payload.epochs
        )
        self._run(self._deps.publish(event))
        self._run(self._ctx.progress(percent, "training"))

    def on_epoch(self, metrics: EpochMetrics) -> None:
        job_id, user_id, model_id = self._common()
        epoch = DigitsMetricsEpoch(
            job_id=job_id,
            user_id=user_id,
            model_id=model_id,
            epoch=metrics.epoch,
            total_epochs=self._payload.epochs,
            train_loss=metrics.train_loss,
            val_acc=metrics.val_acc,
            time_s=metrics.time_s,
        )
        best = DigitsMetricsBest(
            job_id=job_id,
            user_id=user_id,
            model_id=model_id,
            epoch=metrics.epoch,
            val_acc=metrics.val_acc,
        )
        # A `best` event only when the epoch improved on the best so far.
        events: list[DigitsEvent] = [epoch, best]
        for event in events[: 2 if metrics.improved else 1]:
            self._run(self._deps.publish(event))


async def _awaited(call: Awaitable[None]) -> None:
    await call


@dataclass(frozen=True, slots=True)
class Datasets:
    """The preprocessed splits."""

    train: Prepared
    test: Prepared


def load_data(settings: HandwritingSettings) -> Datasets:
    """The preprocessed training and test splits (blocking); with
    `DIGITS__MAX_TRAIN_SAMPLES`, that many training and a quarter as many test images."""
    data = load_mnist(settings.mnist_dir)
    limit = settings.max_train_samples or None
    test_limit = None if limit is None else max(1, limit // 4)
    return Datasets(prepare_split(data.train, limit), prepare_split(data.test, test_limit))


def run_id(now: datetime.datetime) -> str:
    """`YYYYmmdd-HHMMSS-<6 hex>`."""
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def tarball(model_id: str, weights: bytes) -> bytes:
    """`<model_id>/model.pt` in a gzip tarball."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(f"{model_id}/{MODEL_FILE}")
        info.size = len(weights)
        info.mode = 0o644
        archive.addfile(info, io.BytesIO(weights))
    return buffer.getvalue()


def _config_event(
    ctx: JobContext, payload: TrainPayload, resources: Resources, plan: LoaderPlan, compute: Compute
) -> DigitsMetricsConfig:
    defaults = TrainConfig(epochs=1, batch_size=1, lr=1.0, seed=0)
    return DigitsMetricsConfig(
        job_id=ctx.job_id,
        user_id=ctx.user_id,
        model_id=payload.model_id,
        total_epochs=payload.epochs,
        queue=ctx.queue,
        cpu_cores=resources.cpu_cores,
        optimal_threads=plan.threads,
        memory_mb=resources.memory_mb,
        optimal_workers=plan.workers,
        max_batch_size=plan.max_batch_size,
        device=compute.device,
        batch_size=plan.batch_size,
        learning_rate=payload.lr,
        augment=payload.augment,
        aug_rotate=defaults.aug_rotate,
        aug_translate=defaults.aug_translate,
        noise_prob=defaults.noise_prob,
        dots_prob=defaults.dots_prob,
    )


async def _train(
    deps: TrainDeps, payload: TrainPayload, ctx: JobContext, plan: LoaderPlan, compute: Compute
) -> Outcome:
    resources = deps.resources()
    guard = MemoryGuard(resources.memory_limit_bytes, deps.memory_usage)
    stop = threading.Event()
    hooks = _Hooks(
        loop=asyncio.get_running_loop(),
        deps=deps,
        ctx=ctx,
        payload=payload,
        stop=stop,
        guard=guard,
    )
    try:
        data = await run_blocking(load_data, deps.settings)
    except IdxError as exc:
        raise SystemFailureError(f"MNIST data: {exc}") from exc
    config = TrainConfig(
        epochs=payload.epochs,
        batch_size=plan.batch_size,
        lr=payload.lr,
        seed=payload.seed,
        augment=payload.augment,
    )
    try:
        return await run_stoppable(
            None, stop.set, train, data.train, data.test, config, compute, hooks
        )
    except MemoryPressureError as exc:
        raise SystemFailureError(str(exc)) from exc


async def _upload(settings: HandwritingSettings, model_id: str, data: bytes) -> tuple[str, str]:
    if not settings.data_bank_url or not settings.data_bank_api_key:
        raise SystemFailureError("Artifact upload failed: missing data bank API credentials")
    try:
        async with DataBankClient(settings.data_bank_url, settings.data_bank_api_key) as bank:
            stored = await bank.upload(
                data, filename=f"{model_id}.tar.gz", content_type="application/gzip"
            )
    except DataBankError as exc:
        raise SystemFailureError(f"Artifact upload failed: {exc}") from exc
    return stored.file_id, stored.sha256


async def process_train(deps: TrainDeps, payload: TrainPayload, ctx: JobContext) -> TrainResult:
    """Train, save, upload and (if asked) activate; the job's result."""
    settings = deps.settings
    resources = deps.resources()
    plan = plan_loader(resources, payload.batch_size)
    compute = select_compute(has_cuda=deps.has_cuda)
    configure_threads(plan.threads)
    await deps.publish(_config_event(ctx, payload, resources, plan, compute))
    await ctx.progress(0, "loading data")
    outcome = await _train(deps, payload, ctx, plan, compute)
    out_dir = settings.artifacts_root / "digits" / "models" / payload.model_id
    weights = state_dict_bytes(outcome.state)
    await run_blocking(out_dir.mkdir, parents=True, exist_ok=True)
    await run_blocking(write_atomic, out_dir / MODEL_FILE, weights)
    await deps.publish(
        DigitsMetricsArtifact(
            job_id=ctx.job_id, user_id=ctx.user_id, model_id=payload.model_id, path=str(out_dir)
        )
    )
    await ctx.progress(95, "uploading")
    archive = await run_blocking(tarball, payload.model_id, weights)
    file_id, sha256 = await _upload(settings, payload.model_id, archive)
    now = datetime.datetime.now(datetime.UTC)
    manifest = Manifest(
        schema_version="v2.0",
        model_type="resnet18",
        model_id=payload.model_id,
        created_at=now,
        arch="resnet18",
        n_classes=10,
        val_acc=outcome.val_acc,
        preprocess_hash=SIGNATURE,
        file_id=file_id,
        file_size=len(archive),
        file_sha256=sha256,
        training=TrainingInfo(
            run_id=run_id(now),
            epochs=payload.epochs,
            batch_size=plan.batch_size,
            learning_rate=payload.lr,
            seed=payload.seed,
            device=compute.device,
            optimizer="adamw",
            scheduler="cosine",
            augment=payload.augment,
        ),
    )
    manifest_bytes = manifest.to_json()
    await run_blocking(write_atomic, out_dir / MANIFEST_FILE, manifest_bytes)
    await deps.publish(
        DigitsMetricsUpload(
            job_id=ctx.job_id,
            user_id=ctx.user_id,
            model_id=payload.model_id,
            status=200,
            model_bytes=len(weights),
            manifest_bytes=len(manifest_bytes),
            file_id=file_id,
            file_sha256=sha256,
        )
    )
    await ctx.progress(98, "uploaded")
    if payload.activate:
        store = ModelStore(settings.model_dir)
        await run_blocking(store.install, payload.model_id, manifest_bytes, weights)
        await run_blocking(store.activate, payload.model_id)
    await deps.publish(
        DigitsMetricsCompleted(
            job_id=ctx.job_id,
            user_id=ctx.user_id,
            model_id=payload.model_id,
            val_acc=outcome.val_acc,
        )
    )
    await ctx.progress(99, "completed")
    return TrainResult(
        model_id=payload.model_id,
        val_acc=outcome.val_acc,
        best_epoch=outcome.best_epoch,
        epochs=payload.epochs,
        batch_size=plan.batch_size,
        file_id=file_id,
        file_size=len(archive),
        file_sha256=sha256,
        activated=payload.activate,
    )
