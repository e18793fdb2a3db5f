"""The typed events: job lifecycle events per domain, and the domain metrics events.

Every event has a `type` (the wire discriminator, derived from the class and, for job
events, the domain) and a `domain` (which stream and channel it travels on). Fields are
declared in wire order; optional fields are `None` when absent and omitted on the wire.
Models are strict: an int field rejects a bool, a str field rejects a number, a float
field accepts an int (as the original did), NaN and infinity are rejected.
"""

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

Domain = Literal["databank", "qr", "transcript", "turkic", "digits", "trainer"]
"""The domains that publish events (one stream and one channel each)."""

DOMAINS: tuple[Domain, ...] = ("databank", "qr", "transcript", "turkic", "digits", "trainer")

JobKind = Literal["started", "progress", "completed", "failed"]
"""The four job lifecycle steps: `{domain}.job.{kind}.v1`."""

JOB_KINDS: tuple[JobKind, ...] = ("started", "progress", "completed", "failed")

JobId = Annotated[str, Field(min_length=1)]
NonNegative = Annotated[int, Field(ge=0)]
Percent = Annotated[int, Field(ge=0, le=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", allow_inf_nan=False)


# --- job lifecycle events ----------------------------------------------------------


class _JobEvent(_Strict):
    kind: ClassVar[JobKind]

    domain: Domain
    job_id: JobId
    user_id: int

    @property
    def type(self) -> str:
        """`{domain}.job.{kind}.v1`."""
        return f"{self.domain}.job.{self.kind}.v1"


class JobStarted(_JobEvent):
    """`{domain}.job.started.v1`: a worker took the job from `queue`."""

    kind: ClassVar[JobKind] = "started"

    queue: str


class JobProgress(_JobEvent):
    """`{domain}.job.progress.v1`: `progress` percent (0-100), an optional message and payload."""

    kind: ClassVar[JobKind] = "progress"

    progress: Percent
    message: str | None = None
    payload: JsonValue = None


class JobCompleted(_JobEvent):
    """`{domain}.job.completed.v1`: the result's id (e.g. a data-bank file id) and size."""

    kind: ClassVar[JobKind] = "completed"

    result_id: str
    result_bytes: NonNegative


class JobFailed(_JobEvent):
    """`{domain}.job.failed.v1`: `error_kind` says whose fault it was."""

    kind: ClassVar[JobKind] = "failed"

    error_kind: Literal["user", "system"]
    message: str


JobEvent = JobStarted | JobProgress | JobCompleted | JobFailed
"""Any job lifecycle event."""

JOB_EVENT_CLASSES: dict[str, type[JobEvent]] = {
    "started": JobStarted,
    "progress": JobProgress,
    "completed": JobCompleted,
    "failed": JobFailed,
}


# --- metrics events (top-level typed events, no `domain` field on the wire) ----------


class _MetricsEvent(_Strict):
    TYPE: ClassVar[str]
    domain: ClassVar[Domain]

    job_id: JobId
    user_id: int

    @property
    def type(self) -> str:
        """The event's type string."""
        return self.TYPE


class _DigitsMetrics(_MetricsEvent):
    domain: ClassVar[Domain] = "digits"

    model_id: str


class DigitsMetricsConfig(_DigitsMetrics):
    """`digits.metrics.config.v1`: the training run's configuration and resources."""

    TYPE: ClassVar[str] = "digits.metrics.config.v1"

    total_epochs: int
    queue: str
    cpu_cores: int | None = None
    optimal_threads: int | None = None
    memory_mb: int | None = None
    optimal_workers: int | None = None
    max_batch_size: int | None = None
    device: str | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    augment: bool | None = None
    aug_rotate: float | None = None
    aug_translate: float | None = None
    noise_prob: float | None = None
    dots_prob: float | None = None


class DigitsMetricsBatch(_DigitsMetrics):
    """`digits.metrics.batch.v1`: one training batch, with process and cgroup memory."""

    TYPE: ClassVar[str] = "digits.metrics.batch.v1"

    epoch: int
    total_epochs: int
    batch: int
    total_batches: int
    batch_loss: float
    batch_acc: float
    avg_loss: float
    samples_per_sec: float
    main_rss_mb: int
    workers_rss_mb: int
    worker_count: int
    cgroup_usage_mb: int
    cgroup_limit_mb: int
    cgroup_pct: float
    anon_mb: int
    file_mb: int


class DigitsMetricsEpoch(_DigitsMetrics):
    """`digits.metrics.epoch.v1`: one finished epoch."""

    TYPE: ClassVar[str] = "digits.metrics.epoch.v1"

    epoch: int
    total_epochs: int
    train_loss: float
    val_acc: float
    time_s: float


class DigitsMetricsBest(_DigitsMetrics):
    """`digits.metrics.best.v1`: a new best validation accuracy."""

    TYPE: ClassVar[str] = "digits.metrics.best.v1"

    epoch: int
    val_acc: float


class DigitsMetricsArtifact(_DigitsMetrics):
    """`digits.metrics.artifact.v1`: the model artifact was written to `path`."""

    TYPE: ClassVar[str] = "digits.metrics.artifact.v1"

    path: str


class DigitsMetricsUpload(_DigitsMetrics):
    """`digits.metrics.upload.v1`: the artifact was uploaded to the data bank."""

    TYPE: ClassVar[str] = "digits.metrics.upload.v1"

    status: int
    model_bytes: int
    manifest_bytes: int
    file_id: str
    file_sha256: str


class DigitsMetricsPrune(_DigitsMetrics):
    """`digits.metrics.prune.v1`: old runs were deleted."""

    TYPE: ClassVar[str] = "digits.metrics.prune.v1"

    deleted_count: int


class DigitsMetricsCompleted(_DigitsMetrics):
    """`digits.metrics.completed.v1`: training finished with `val_acc`."""

    TYPE: ClassVar[str] = "digits.metrics.completed.v1"

    val_acc: float


class _TrainerMetrics(_MetricsEvent):
    domain: ClassVar[Domain] = "trainer"


class TrainerMetricsConfig(_TrainerMetrics):
    """`trainer.metrics.config.v1`: the training run's model and resources."""

    TYPE: ClassVar[str] = "trainer.metrics.config.v1"

    model_family: str
    model_size: str
    total_epochs: int
    queue: str
    cpu_cores: int | None = None
    memory_mb: int | None = None
    optimal_threads: int | None = None
    optimal_workers: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None


class TrainerMetricsProgress(_TrainerMetrics):
    """`trainer.metrics.progress.v1`: one training step (`val_*` at epoch boundaries only)."""

    TYPE: ClassVar[str] = "trainer.metrics.progress.v1"

    epoch: int
    total_epochs: int
    step: int
    train_loss: float
    train_ppl: float
    grad_norm: float
    samples_per_sec: float
    val_loss: float | None = None
    val_ppl: float | None = None


class TrainerMetricsCompleted(_TrainerMetrics):
    """`trainer.metrics.completed.v1`: the test loss and perplexity, and the artifact."""

    TYPE: ClassVar[str] = "trainer.metrics.completed.v1"

    test_loss: float
    test_ppl: float
    artifact_path: str


DigitsMetricsEvent = (
    DigitsMetricsConfig
    | DigitsMetricsBatch
    | DigitsMetricsEpoch
    | DigitsMetricsBest
    | DigitsMetricsArtifact
    | DigitsMetricsUpload
    | DigitsMetricsPrune
    | DigitsMetricsCompleted
)
"""Any `digits.metrics.*.v1` event."""

TrainerMetricsEvent = TrainerMetricsConfig | TrainerMetricsProgress | TrainerMetricsCompleted
"""Any `trainer.metrics.*.v1` event."""

MetricsEvent = DigitsMetricsEvent | TrainerMetricsEvent
"""Any metrics event."""

METRICS_EVENT_CLASSES: dict[str, type[MetricsEvent]] = {
    cls.TYPE: cls
    for cls in (
        DigitsMetricsConfig,
        DigitsMetricsBatch,
        DigitsMetricsEpoch,
        DigitsMetricsBest,
        DigitsMetricsArtifact,
        DigitsMetricsUpload,
        DigitsMetricsPrune,
        DigitsMetricsCompleted,
        TrainerMetricsConfig,
        TrainerMetricsProgress,
        TrainerMetricsCompleted,
    )
}

Event = JobEvent | MetricsEvent
"""Any event this package publishes and decodes."""
