"""`digits.metrics.*.v1`: the training run's metrics events, owned by handwriting-ai.

Top-level events on the `digits` domain's stream and channel (the original nested them
as a JSON string inside progress events, which its own client could not read). The wire
text is compact JSON, `type` first, then `job_id`, `user_id`, `model_id` and the fields
below in order, no `domain` key, optional fields omitted when unset; fields are strict
(an int rejects a bool; NaN and infinity are rejected). The Discord bot decodes them
(this module is its own Bazel target, visible to `//clients/...`):
`decode_event(text, DIGITS_EVENTS)` or `EventReader(..., types=DIGITS_EVENTS)`.
"""

from typing import Annotated, ClassVar

from pydantic import Field

from platform_core.async_events import DomainEvent, EventTypes

__all__ = [
    "DIGITS_EVENTS",
    "DOMAIN",
    "DigitsEvent",
    "DigitsMetrics",
    "DigitsMetricsArtifact",
    "DigitsMetricsBatch",
    "DigitsMetricsBest",
    "DigitsMetricsCompleted",
    "DigitsMetricsConfig",
    "DigitsMetricsEpoch",
    "DigitsMetricsUpload",
]

DOMAIN = "digits"


class DigitsMetrics(DomainEvent):
    """Fields every digits metrics event has."""

    domain: ClassVar[str] = DOMAIN

    job_id: Annotated[str, Field(min_length=1)]
    user_id: int
    model_id: str


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

DIGITS_EVENTS = EventTypes(
    DigitsMetricsConfig,
    DigitsMetricsBatch,
    DigitsMetricsEpoch,
    DigitsMetricsBest,
    DigitsMetricsArtifact,
    DigitsMetricsUpload,
    DigitsMetricsCompleted,
)
"""The metrics event types, for `decode_event`, `read_events` and `EventReader` (`types=`)."""
