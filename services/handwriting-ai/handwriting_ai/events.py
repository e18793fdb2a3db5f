"""The `digits.metrics.*.v1` events: the service's own definitions of their wire shape.

Top-level typed events on the `digits` domain's stream and channel (the original nested
them as a JSON string inside progress events, which its own client could not read). The
wire text is compact JSON, `type` first, no `domain` key, optional fields omitted; fields
are strict (an int rejects a bool; NaN and infinity are rejected).

Publishing: until the platform's generic service-event mechanism lands in
`platform_core.async_events` (libs-queue), `to_wire` maps each event to the lib's
current class of the same type and shape; that function is the only glue to remove.
"""

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from platform_core import async_events as lib

DOMAIN = "digits"


class DigitsMetrics(BaseModel):
    """Fields every digits metrics event has."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", allow_inf_nan=False)
    TYPE: ClassVar[str]

    job_id: Annotated[str, Field(min_length=1)]
    user_id: int
    model_id: str

    @property
    def type(self) -> str:
        """The event's type string."""
        return self.TYPE


class DigitsMetricsConfig(DigitsMetrics):
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


class DigitsMetricsBatch(DigitsMetrics):
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


class DigitsMetricsEpoch(DigitsMetrics):
    """`digits.metrics.epoch.v1`: one finished epoch."""

    TYPE: ClassVar[str] = "digits.metrics.epoch.v1"

    epoch: int
    total_epochs: int
    train_loss: float
    val_acc: float
    time_s: float


class DigitsMetricsBest(DigitsMetrics):
    """`digits.metrics.best.v1`: a new best validation accuracy."""

    TYPE: ClassVar[str] = "digits.metrics.best.v1"

    epoch: int
    val_acc: float


class DigitsMetricsArtifact(DigitsMetrics):
    """`digits.metrics.artifact.v1`: the model artifact was written to `path`."""

    TYPE: ClassVar[str] = "digits.metrics.artifact.v1"

    path: str


class DigitsMetricsUpload(DigitsMetrics):
    """`digits.metrics.upload.v1`: the artifact was uploaded to the data bank."""

    TYPE: ClassVar[str] = "digits.metrics.upload.v1"

    status: int
    model_bytes: int
    manifest_bytes: int
    file_id: str
    file_sha256: str


class DigitsMetricsCompleted(DigitsMetrics):
    """`digits.metrics.completed.v1`: training finished with `val_acc`."""

    TYPE: ClassVar[str] = "digits.metrics.completed.v1"

    val_acc: float


DigitsEvent = (
    DigitsMetricsConfig
    | DigitsMetricsBatch
    | DigitsMetricsEpoch
    | DigitsMetricsBest
    | DigitsMetricsArtifact
    | DigitsMetricsUpload
    | DigitsMetricsCompleted
)
"""Any digits metrics event."""

_WIRE: dict[str, type[lib.DigitsMetricsEvent]] = {
    "digits.metrics.config.v1": lib.DigitsMetricsConfig,
    "digits.metrics.batch.v1": lib.DigitsMetricsBatch,
    "digits.metrics.epoch.v1": lib.DigitsMetricsEpoch,
    "digits.metrics.best.v1": lib.DigitsMetricsBest,
    "digits.metrics.artifact.v1": lib.DigitsMetricsArtifact,
    "digits.metrics.upload.v1": lib.DigitsMetricsUpload,
    "digits.metrics.completed.v1": lib.DigitsMetricsCompleted,
}


def to_wire(event: DigitsEvent) -> lib.DigitsMetricsEvent:
    """The lib's event of the same type and fields (the publishing glue, see above)."""
    return _WIRE[event.TYPE].model_validate_json(event.model_dump_json())
