"""Folding events into a `JobView`, and its text."""

from typing import ClassVar

import pytest

from handwriting_ai_events import (
    DigitsMetricsArtifact,
    DigitsMetricsBatch,
    DigitsMetricsBest,
    DigitsMetricsCompleted,
    DigitsMetricsConfig,
    DigitsMetricsEpoch,
    DigitsMetricsUpload,
)
from job_views import (
    DOMAIN_EVENT_TYPES,
    JobView,
    event_job,
    event_types_for,
    fold,
    progress_bar,
    view_text,
)
from model_trainer_events import (
    TrainerMetricsCompleted,
    TrainerMetricsConfig,
    TrainerMetricsProgress,
)
from platform_core.async_events import (
    DomainEvent,
    Event,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobStarted,
)


class LabNote(DomainEvent):
    """An event that is about no job."""

    TYPE: ClassVar[str] = "lab.note.v1"
    domain: ClassVar[str] = "lab"

    text: str


def folded(events: list[Event]) -> JobView:
    view = None
    for event in events:
        view = fold(view, event)
    assert view is not None
    return view


def test_a_job_from_start_to_completion() -> None:
    started = JobStarted(domain="qr", job_id="j1", user_id=7, queue="qr")
    view = fold(None, started)
    assert view == JobView(domain="qr", job_id="j1", user_id=7, message="queue qr")
    assert not view.ended
    view = fold(view, JobProgress(domain="qr", job_id="j1", user_id=7, progress=40, message="x"))
    assert (view.status, view.progress, view.message) == ("running", 40, "x")
    done = JobCompleted(domain="qr", job_id="j1", user_id=7, result_id="f1", result_bytes=2048)
    view = fold(view, done)
    assert (view.status, view.progress, view.result_id, view.result_bytes) == (
        "completed",
        100,
        "f1",
        2048,
    )
    assert view.ended
    assert view_text(view, result_link="http://files/f1") == (
        "qr job j1: completed\n[####################] 100%\nresult f1 (2.0 KiB)\nhttp://files/f1"
    )


def test_progress_after_the_end_changes_nothing_and_a_new_start_retries() -> None:
    failed = folded(
        [
            JobProgress(domain="qr", job_id="j", user_id=1, progress=50),
            JobFailed(domain="qr", job_id="j", user_id=1, error_kind="system", message="boom"),
        ]
    )
    assert (failed.status, failed.error, failed.progress) == ("failed", "system: boom", 50)
    assert fold(failed, JobProgress(domain="qr", job_id="j", user_id=1, progress=90)) is failed
    assert view_text(failed) == "qr job j: failed\nerror (system: boom)"
    retried = fold(failed, JobStarted(domain="qr", job_id="j", user_id=1, queue="qr"))
    assert (retried.status, retried.error, retried.progress) == ("started", None, 0)


def test_trainer_metrics_fill_the_metrics_line() -> None:
    config = TrainerMetricsConfig(
        model_family="gpt2", model_size="s", total_epochs=2, queue="trainer", job_id="r", user_id=3
    )
    view = fold(None, config)
    assert view.metrics == "gpt2 s · 2 epochs"
    assert view.status == "started"
    config_full = TrainerMetricsConfig(
        model_family="gpt2",
        model_size="s",
        total_epochs=2,
        queue="trainer",
        batch_size=8,
        learning_rate=0.0005,
        job_id="r",
        user_id=3,
    )
    assert fold(view, config_full).metrics == "gpt2 s · 2 epochs · batch 8 · lr 0.0005"
    step = TrainerMetricsProgress(
        epoch=1,
        total_epochs=2,
        step=10,
        train_loss=3.5,
        train_ppl=33.115,
        grad_norm=1.0,
        samples_per_sec=5.0,
        job_id="r",
        user_id=3,
    )
    assert fold(view, step).metrics == "epoch 1/2 · step 10 · loss 3.5000 · ppl 33.12"
    boundary = TrainerMetricsProgress.model_validate_json(
        step.model_dump_json()[:-1] + ',"val_loss":3.0,"val_ppl":20.0}'
    )
    assert fold(view, boundary).metrics == (
        "epoch 1/2 · step 10 · loss 3.5000 · ppl 33.12 · val loss 3.0000 · val ppl 20.00"
    )
    end = TrainerMetricsCompleted(
        test_loss=2.0, test_ppl=7.39, artifact_path="/a/m", job_id="r", user_id=3
    )
    view = fold(fold(view, JobProgress(domain="trainer", progress=60, job_id="r", user_id=3)), end)
    assert view_text(view) == (
        "trainer job r: running\n[############--------] 60%\n"
        "test loss 2.0000 · test ppl 7.39 · artifact /a/m"
    )


def test_events_about_no_job_or_another_job_are_refused() -> None:
    note = LabNote(text="hi")
    assert event_job(note) is None
    with pytest.raises(ValueError, match=r"lab\.note\.v1 is not about a job"):
        fold(None, note)
    view = fold(None, JobStarted(domain="qr", job_id="a", user_id=1, queue="qr"))
    with pytest.raises(ValueError, match="qr/b folded into qr/a"):
        fold(view, JobStarted(domain="qr", job_id="b", user_id=1, queue="qr"))
    assert event_job(JobStarted(domain="qr", job_id="a", user_id=1, queue="qr")) == ("qr", "a", 1)


def test_bars_and_sizes() -> None:
    assert progress_bar(-5) == "[--------------------]"
    assert progress_bar(50, width=4) == "[##--]"
    assert progress_bar(250, width=2) == "[##]"
    small = JobView(
        domain="d", job_id="j", user_id=1, status="completed", progress=100, result_bytes=10
    )
    assert view_text(small).endswith("result None (10 B)")
    big = JobView(domain="d", job_id="j", user_id=1, status="completed", result_bytes=3 << 20)
    assert view_text(big).endswith("(3.0 MiB)")
    assert view_text(JobView(domain="d", job_id="j", user_id=1, status="completed")).endswith(
        "(0 B)"
    )


def test_event_types_per_domain() -> None:
    assert len(event_types_for(["qr", "transcript"])) == 0
    trainer = event_types_for(["qr", "trainer"])
    assert set(trainer) == set(DOMAIN_EVENT_TYPES["trainer"])
    assert trainer.get("trainer.metrics.progress.v1") is TrainerMetricsProgress


def test_digits_metrics_fill_the_metrics_line() -> None:
    config = DigitsMetricsConfig(
        total_epochs=3, queue="digits", job_id="d1", user_id=2, model_id="m"
    )
    assert fold(None, config).metrics == "m · 3 epochs"
    lines = [
        DigitsMetricsConfig(
            total_epochs=3,
            queue="digits",
            batch_size=64,
            learning_rate=0.001,
            job_id="d1",
            user_id=2,
            model_id="m",
        ),
        DigitsMetricsBatch(
            epoch=1,
            total_epochs=3,
            batch=10,
            total_batches=50,
            batch_loss=0.5,
            batch_acc=0.875,
            avg_loss=0.61,
            samples_per_sec=900.0,
            main_rss_mb=1,
            workers_rss_mb=1,
            worker_count=1,
            cgroup_usage_mb=1,
            cgroup_limit_mb=2,
            cgroup_pct=50.0,
            anon_mb=1,
            file_mb=1,
            job_id="d1",
            user_id=2,
            model_id="m",
        ),
        DigitsMetricsEpoch(
            epoch=1,
            total_epochs=3,
            train_loss=0.4,
            val_acc=0.9712,
            time_s=12.34,
            job_id="d1",
            user_id=2,
            model_id="m",
        ),
        DigitsMetricsBest(epoch=1, val_acc=0.9712, job_id="d1", user_id=2, model_id="m"),
        DigitsMetricsArtifact(path="/a/m.pt", job_id="d1", user_id=2, model_id="m"),
        DigitsMetricsUpload(
            status=201,
            model_bytes=4096,
            manifest_bytes=10,
            file_id="f",
            file_sha256="s",
            job_id="d1",
            user_id=2,
            model_id="m",
        ),
        DigitsMetricsCompleted(val_acc=0.98, job_id="d1", user_id=2, model_id="m"),
    ]
    assert [fold(None, event).metrics for event in lines] == [
        "m · 3 epochs · batch 64 · lr 0.001",
        "epoch 1/3 · batch 10/50 · loss 0.6100 · acc 87.5%",
        "epoch 1/3 · loss 0.4000 · val acc 97.12% · 12.3 s",
        "best val acc 97.12% (epoch 1)",
        "model written: /a/m.pt",
        "model uploaded: f (4096 B)",
        "val acc 98.00%",
    ]
    assert event_types_for(["digits"]).get("digits.metrics.epoch.v1") is DigitsMetricsEpoch
