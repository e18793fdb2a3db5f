"""`trainer.metrics.*.v1`: the training run's metrics events, owned by this service.

Top-level events on the `trainer` domain's stream and channel, with the wire shape the
platform has always had: `type` first, then `job_id`, `user_id` and the fields below in
order; optional fields omitted when unset. The Discord bot decodes them (this module is
its own Bazel target, visible to `//clients/...`).

- `trainer.metrics.config.v1`: the run's model and resources, once before training.
- `trainer.metrics.progress.v1`: every optimizer step; the report that ends an epoch
  also carries `val_loss`/`val_ppl` (and `grad_norm` and `samples_per_sec` 0).
- `trainer.metrics.completed.v1`: the test loss and perplexity, and the artifact.
"""

from typing import ClassVar

from pydantic import Field

from platform_core.async_events import DomainEvent, EventTypes

__all__ = [
    "TRAINER_METRICS",
    "TrainerMetricsCompleted",
    "TrainerMetricsConfig",
    "TrainerMetricsEvent",
    "TrainerMetricsProgress",
]


class _TrainerMetrics(DomainEvent):
    domain: ClassVar[str] = "trainer"

    job_id: str = Field(min_length=1)
    user_id: int


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


TrainerMetricsEvent = TrainerMetricsConfig | TrainerMetricsProgress | TrainerMetricsCompleted
"""Any `trainer.metrics.*.v1` event."""

TRAINER_METRICS = EventTypes(TrainerMetricsConfig, TrainerMetricsProgress, TrainerMetricsCompleted)
"""The metrics event types, for `decode_event`, `read_events` and `EventReader` (`types=`)."""
