"""`JobView`: one job's state after the events seen so far, and its text.

Lifecycle events move the status (`started` -> `running` -> `completed` | `failed`; a
new `started` after a failure is a retry and starts over); progress after the job ended
changes nothing. Metrics events (trainer, digits) replace the metrics line and never the status.
"""

from dataclasses import dataclass, replace
from typing import Literal, TypeGuard

from handwriting_ai_events import (
    DigitsMetricsArtifact,
    DigitsMetricsBatch,
    DigitsMetricsBest,
    DigitsMetricsCompleted,
    DigitsMetricsConfig,
    DigitsMetricsEpoch,
    DigitsMetricsUpload,
)
from model_trainer_events import (
    TrainerMetricsCompleted,
    TrainerMetricsConfig,
    TrainerMetricsProgress,
)
from platform_core.async_events import (
    Event,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobStarted,
)

BAR_WIDTH = 20

JobStatus = Literal["started", "running", "completed", "failed"]
"""Where a job stands: taken by a worker, reporting progress, or ended either way."""

_ENDED: frozenset[JobStatus] = frozenset({"completed", "failed"})


@dataclass(frozen=True, slots=True)
class JobView:
    """What a user sees of one job: status, percent, latest message and metrics, outcome."""

    domain: str
    job_id: str
    user_id: int
    status: JobStatus = "started"
    progress: int = 0
    message: str | None = None
    metrics: str | None = None
    result_id: str | None = None
    result_bytes: int | None = None
    error: str | None = None

    @property
    def ended(self) -> bool:
        """Whether the job completed or failed."""
        return self.status in _ENDED


_TrainerMetrics = TrainerMetricsConfig | TrainerMetricsProgress | TrainerMetricsCompleted
_DigitsMetrics = (
    DigitsMetricsConfig
    | DigitsMetricsBatch
    | DigitsMetricsEpoch
    | DigitsMetricsBest
    | DigitsMetricsArtifact
    | DigitsMetricsUpload
    | DigitsMetricsCompleted
)
_Metrics = _TrainerMetrics | _DigitsMetrics
_JobsEvent = JobStarted | JobProgress | JobCompleted | JobFailed | _Metrics


def _about_job(event: Event) -> TypeGuard[_JobsEvent]:
    return isinstance(event, _JobsEvent)


def event_job(event: Event) -> tuple[str, str, int] | None:
    """`(domain, job_id, user_id)` of the job an event is about; None: not a job's event."""
    if _about_job(event):
        return event.domain, event.job_id, event.user_id
    return None


def _digits_line(event: _DigitsMetrics) -> str:
    if isinstance(event, DigitsMetricsConfig):
        parts = [event.model_id, f"{event.total_epochs} epochs"]
        if event.batch_size is not None:
            parts.append(f"batch {event.batch_size}")
        if event.learning_rate is not None:
            parts.append(f"lr {event.learning_rate:g}")
        return " · ".join(parts)
    if isinstance(event, DigitsMetricsBatch):
        return (
            f"epoch {event.epoch}/{event.total_epochs} · batch {event.batch}/"
            f"{event.total_batches} · loss {event.avg_loss:.4f} · acc {event.batch_acc:.1%}"
        )
    if isinstance(event, DigitsMetricsEpoch):
        return (
            f"epoch {event.epoch}/{event.total_epochs} · loss {event.train_loss:.4f} · "
            f"val acc {event.val_acc:.2%} · {event.time_s:.1f} s"
        )
    return _digits_outcome_line(event)


def _digits_outcome_line(
    event: DigitsMetricsBest | DigitsMetricsArtifact | DigitsMetricsUpload | DigitsMetricsCompleted,
) -> str:
    if isinstance(event, DigitsMetricsBest):
        return f"best val acc {event.val_acc:.2%} (epoch {event.epoch})"
    if isinstance(event, DigitsMetricsArtifact):
        return f"model written: {event.path}"
    if isinstance(event, DigitsMetricsUpload):
        return f"model uploaded: {event.file_id} ({event.model_bytes} B)"
    return f"val acc {event.val_acc:.2%}"


def _metrics_line(event: _Metrics) -> str:
    if isinstance(event, _DigitsMetrics):
        return _digits_line(event)
    if isinstance(event, TrainerMetricsConfig):
        parts = [f"{event.model_family} {event.model_size}", f"{event.total_epochs} epochs"]
        if event.batch_size is not None:
            parts.append(f"batch {event.batch_size}")
        if event.learning_rate is not None:
            parts.append(f"lr {event.learning_rate:g}")
        return " · ".join(parts)
    if isinstance(event, TrainerMetricsProgress):
        parts = [
            f"epoch {event.epoch}/{event.total_epochs}",
            f"step {event.step}",
            f"loss {event.train_loss:.4f}",
            f"ppl {event.train_ppl:.2f}",
        ]
        if event.val_loss is not None and event.val_ppl is not None:
            parts.append(f"val loss {event.val_loss:.4f}")
            parts.append(f"val ppl {event.val_ppl:.2f}")
        return " · ".join(parts)
    return (
        f"test loss {event.test_loss:.4f} · test ppl {event.test_ppl:.2f} · "
        f"artifact {event.artifact_path}"
    )


def fold(view: JobView | None, event: Event) -> JobView:
    """`view` after `event` (None: the first event seen of the job).

    Raises ValueError for an event that is not about a job (`event_job` is None) or is
    about another job than `view`'s.
    """
    if not _about_job(event):
        raise ValueError(f"{event.type} is not about a job")
    domain, job_id, user_id = event.domain, event.job_id, event.user_id
    if view is None:
        view = JobView(domain=domain, job_id=job_id, user_id=user_id)
    elif (view.domain, view.job_id) != (domain, job_id):
        raise ValueError(
            f"{event.type} for {domain}/{job_id} folded into {view.domain}/{view.job_id}"
        )
    if isinstance(event, JobStarted):
        return JobView(
            domain=domain, job_id=job_id, user_id=user_id, message=f"queue {event.queue}"
        )
    if isinstance(event, JobProgress):
        if view.ended:
            return view
        return replace(view, status="running", progress=event.progress, message=event.message)
    if isinstance(event, JobCompleted):
        return replace(
            view,
            status="completed",
            progress=100,
            message=None,
            result_id=event.result_id,
            result_bytes=event.result_bytes,
        )
    if isinstance(event, JobFailed):
        return replace(view, status="failed", error=f"{event.error_kind}: {event.message}")
    return replace(view, metrics=_metrics_line(event))


def progress_bar(percent: int, width: int = BAR_WIDTH) -> str:
    """`[#####---------------]`: `percent` (clamped to 0-100) of `width` cells filled."""
    filled = round(max(0, min(100, percent)) * width / 100)
    return f"[{'#' * filled}{'-' * (width - filled)}]"


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.1f} KiB"
    return f"{count / (1024 * 1024):.1f} MiB"


def view_text(view: JobView, *, result_link: str | None = None) -> str:
    """The lines a message shows for `view` (`result_link`: where the result can be got)."""
    lines = [f"{view.domain} job {view.job_id}: {view.status}"]
    if view.status == "failed":
        lines.append(f"error ({view.error})")
    else:
        bar = f"{progress_bar(view.progress)} {view.progress}%"
        lines.append(f"{bar} {view.message}" if view.message else bar)
    if view.metrics is not None:
        lines.append(view.metrics)
    if view.status == "completed":
        lines.append(f"result {view.result_id} ({_size(view.result_bytes or 0)})")
        if result_link is not None:
            lines.append(result_link)
    return "\n".join(lines)
