"""A real private Redis for these tests, a client on it, and one sample of every event."""

from collections.abc import AsyncIterator

import pytest

from platform_core.async_events import (
    DigitsMetricsArtifact,
    DigitsMetricsBatch,
    DigitsMetricsBest,
    DigitsMetricsCompleted,
    DigitsMetricsConfig,
    DigitsMetricsEpoch,
    DigitsMetricsPrune,
    DigitsMetricsUpload,
    Event,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobStarted,
    TrainerMetricsCompleted,
    TrainerMetricsConfig,
    TrainerMetricsProgress,
)
from platform_workers.async_redis import RedisClient, open_redis
from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["events", "redis", "redis_server", "redis_url"]


@pytest.fixture()
async def redis(redis_url: str) -> AsyncIterator[RedisClient]:
    """A client on the emptied test server."""
    async with open_redis(redis_url, socket_timeout_s=2.0) as client:
        yield client


@pytest.fixture()
def events() -> list[Event]:
    """One event of every type (optional fields both set and left out)."""
    return [
        JobStarted(domain="turkic", job_id="j1", user_id=42, queue="turkic"),
        JobProgress(domain="transcript", job_id="j1", user_id=0, progress=10),
        JobProgress(
            domain="qr",
            job_id="j1",
            user_id=1,
            progress=100,
            message="done",
            payload={"nested": [1, 2.5, None, True, "x"]},
        ),
        JobCompleted(domain="databank", job_id="j1", user_id=2, result_id="f", result_bytes=0),
        JobFailed(domain="trainer", job_id="r", user_id=3, error_kind="user", message="bad"),
        DigitsMetricsConfig(job_id="j", user_id=1, model_id="m", total_epochs=15, queue="digits"),
        DigitsMetricsConfig(
            job_id="j",
            user_id=1,
            model_id="m",
            total_epochs=15,
            queue="digits",
            cpu_cores=4,
            optimal_threads=2,
            memory_mb=2048,
            optimal_workers=1,
            max_batch_size=512,
            device="cpu",
            batch_size=256,
            learning_rate=0.0015,
            augment=True,
            aug_rotate=10.0,
            aug_translate=0.1,
            noise_prob=0.0,
            dots_prob=0.05,
        ),
        DigitsMetricsBatch(
            job_id="j",
            user_id=1,
            model_id="m",
            epoch=1,
            total_epochs=15,
            batch=10,
            total_batches=235,
            batch_loss=0.4,
            batch_acc=0.9,
            avg_loss=0.5,
            samples_per_sec=1200.5,
            main_rss_mb=300,
            workers_rss_mb=200,
            worker_count=2,
            cgroup_usage_mb=600,
            cgroup_limit_mb=2048,
            cgroup_pct=29.3,
            anon_mb=500,
            file_mb=100,
        ),
        DigitsMetricsEpoch(
            job_id="j",
            user_id=1,
            model_id="m",
            epoch=1,
            total_epochs=15,
            train_loss=0.3,
            val_acc=0.97,
            time_s=12.5,
        ),
        DigitsMetricsBest(job_id="j", user_id=1, model_id="m", epoch=1, val_acc=0.97),
        DigitsMetricsArtifact(job_id="j", user_id=1, model_id="m", path="/a/model.pt"),
        DigitsMetricsUpload(
            job_id="j",
            user_id=1,
            model_id="m",
            status=201,
            model_bytes=100,
            manifest_bytes=10,
            file_id="f",
            file_sha256="ab" * 32,
        ),
        DigitsMetricsPrune(job_id="j", user_id=1, model_id="m", deleted_count=3),
        DigitsMetricsCompleted(job_id="j", user_id=1, model_id="m", val_acc=0.99),
        TrainerMetricsConfig(
            job_id="r",
            user_id=1,
            model_family="gpt2",
            model_size="small",
            total_epochs=3,
            queue="trainer",
        ),
        TrainerMetricsConfig(
            job_id="r",
            user_id=1,
            model_family="gpt2",
            model_size="small",
            total_epochs=3,
            queue="trainer",
            cpu_cores=8,
            memory_mb=4096,
            optimal_threads=4,
            optimal_workers=2,
            batch_size=8,
            learning_rate=5e-4,
        ),
        TrainerMetricsProgress(
            job_id="r",
            user_id=1,
            epoch=1,
            total_epochs=3,
            step=100,
            train_loss=2.5,
            train_ppl=12.2,
            grad_norm=0.8,
            samples_per_sec=50.0,
        ),
        TrainerMetricsProgress(
            job_id="r",
            user_id=1,
            epoch=1,
            total_epochs=3,
            step=200,
            train_loss=2.5,
            train_ppl=12.2,
            grad_norm=0.8,
            samples_per_sec=50.0,
            val_loss=2.6,
            val_ppl=13.5,
        ),
        TrainerMetricsCompleted(
            job_id="r", user_id=1, test_loss=2.4, test_ppl=11.0, artifact_path="/a/r.tar"
        ),
    ]
