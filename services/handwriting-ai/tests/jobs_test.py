"""The training job through the real queue and worker, a real Redis, the bundled digits as
IDX files and the upload over real HTTP; then the API serves the activated model."""

import asyncio
import io
import pathlib
import tarfile

import pytest

from handwriting_ai import worker
from handwriting_ai.app import build_app
from handwriting_ai.digits_data import write_digits_mnist
from handwriting_ai.jobs import (
    QUEUE,
    TrainDeps,
    TrainPayload,
    TrainResult,
    process_train,
    progress_percent,
    train_task,
)
from handwriting_ai.settings import HandwritingSettings
from handwriting_ai.store import ModelStore
from handwriting_ai_events import DIGITS_EVENTS, DigitsEvent, DigitsMetrics, DigitsMetricsConfig
from handwriting_ai_testing import KEY, FakeDataBank, draw_digit, make_settings
from platform_core.async_events import JobEvent, JobFailed
from platform_core.http_testing import app_client, json_object, running_server
from platform_ml import Resources
from platform_workers.async_queue import JobContext, Queue, Task
from platform_workers.async_queue_testing import Events, running
from platform_workers.async_redis import open_redis
from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["redis_server", "redis_url"]

TOY = {"DIGITS__MAX_TRAIN_SAMPLES": "16"}


def payload(model_id: str = "toy", *, activate: bool = True, epochs: int = 1) -> TrainPayload:
    """A toy job."""
    return TrainPayload(
        request_id=model_id,
        model_id=model_id,
        epochs=epochs,
        batch_size=8,
        lr=1e-3,
        seed=0,
        augment=True,
        activate=activate,
    )


def test_progress_percent() -> None:
    assert progress_percent(1, 1, 4, 2) == 12
    assert progress_percent(2, 4, 4, 2) == 99


async def test_worker_trains_uploads_activates_and_the_api_serves_it(
    tmp_path: pathlib.Path, redis_url: str
) -> None:
    bank = FakeDataBank()
    async with running_server(bank.app, grace_s=1.0) as bank_server:
        settings = make_settings(
            tmp_path,
            redis_url,
            APP__DATA_BANK_API_URL=bank_server.url,
            APP__DATA_BANK_API_KEY="bank-key",
            **TOY,
        )
        write_digits_mnist(settings.mnist_dir)
        stop = asyncio.Event()
        running_worker = asyncio.create_task(worker.run(settings, stop=stop, has_cuda=False))
        async with app_client(build_app(settings)) as client:
            body = {
                "user_id": 7,
                "model_id": "toy",
                "epochs": 1,
                "batch_size": 8,
                "lr": 0.001,
                "seed": 0,
                "activate": True,
            }
            accepted = json_object(
                await client.post("/api/v1/training/jobs", json=body, headers=KEY)
            )
            job_id = str(accepted["job_id"])
            async with open_redis(redis_url) as redis:
                events = Events(redis, QUEUE, DIGITS_EVENTS)
                await events.finished(job_id, timeout_s=600)
            view = json_object(await client.get(f"/api/v1/training/jobs/{job_id}", headers=KEY))
            assert view["status"] == "completed", view
            result = view["result"]
            assert isinstance(result, dict)
            assert result["activated"] is True
            file_id = str(result["file_id"])
            metrics = [e.type for e in events.seen if isinstance(e, DigitsMetrics)]
            assert metrics[0] == "digits.metrics.config.v1"
            for kind in ("batch", "epoch", "best", "artifact", "upload", "completed"):
                assert f"digits.metrics.{kind}.v1" in metrics
            assert events.of(job_id)[-1] == "completed"
            # the API notices the activation and serves the new model
            active = json_object(await client.get("/v1/models/active"))
            for _ in range(200):
                active = json_object(await client.get("/v1/models/active"))
                if active["model_id"] == "toy":
                    break
                await asyncio.sleep(0.05)
            assert active["model_id"] == "toy"
            files = {"file": ("d.png", draw_digit("0"), "image/png")}
            read = json_object(await client.post("/v1/read", files=files, headers=KEY))
            assert read["model_id"] == "toy"
        stop.set()
        await running_worker
    with tarfile.open(fileobj=io.BytesIO(bank.files[file_id])) as archive:
        assert archive.getnames() == ["toy/model.pt"]
    manifest = ModelStore(settings.model_dir).load("toy").manifest
    assert manifest.file_id == file_id
    assert (settings.artifacts_root / "digits" / "models" / "toy" / "manifest.json").exists()


async def _run_job(
    settings: HandwritingSettings, deps: TrainDeps, job: TrainPayload, redis_url: str
) -> tuple[list[JobEvent], list[DigitsEvent]]:
    """Run one job through the queue; its job events and the metrics published."""
    published: list[DigitsEvent] = []

    async def publish(event: DigitsEvent) -> None:
        published.append(event)

    deps = TrainDeps(
        settings=deps.settings,
        publish=publish,
        resources=deps.resources,
        memory_usage=deps.memory_usage,
        has_cuda=False,
    )
    task: Task[TrainPayload, TrainResult] = train_task(settings)

    async def handle(p: TrainPayload, ctx: JobContext) -> TrainResult:
        return await process_train(deps, p, ctx)

    async with open_redis(redis_url) as redis, running(redis, QUEUE, [task.handler(handle)]):
        await Queue(redis, QUEUE).enqueue(task, job, user_id=1, job_id=job.request_id)
        events = Events(redis, QUEUE)
        await events.finished(job.request_id, timeout_s=600)
    return [e for e in events.seen if isinstance(e, JobEvent)], published


async def _noop(event: DigitsEvent) -> None:
    del event


@pytest.mark.parametrize(
    ("extra", "with_data", "message"),
    [
        (TOY, True, "Artifact upload failed: missing data bank API credentials"),
        (TOY, False, "MNIST data: train-images-idx3-ubyte.gz: not found"),
        (
            {**TOY, "APP__DATA_BANK_API_URL": "http://127.0.0.1:1", "APP__DATA_BANK_API_KEY": "k"},
            True,
            "Artifact upload failed:",
        ),
    ],
)
async def test_failures(
    tmp_path: pathlib.Path, redis_url: str, extra: dict[str, str], with_data: bool, message: str
) -> None:
    settings = make_settings(tmp_path, redis_url, **extra)
    if with_data:
        write_digits_mnist(settings.mnist_dir)
    job_events, _ = await _run_job(settings, TrainDeps(settings, _noop), payload(), redis_url)
    failed = job_events[-1]
    assert isinstance(failed, JobFailed)
    assert message in failed.message


async def test_memory_pressure_stops_the_run(tmp_path: pathlib.Path, redis_url: str) -> None:
    settings = make_settings(tmp_path, redis_url, **TOY)
    write_digits_mnist(settings.mnist_dir)
    limit = 512 << 20
    deps = TrainDeps(
        settings,
        _noop,
        resources=lambda: Resources(cpu_cores=1, memory_limit_bytes=limit),
        memory_usage=lambda: limit - 1,
    )
    job = payload(activate=False, epochs=2)
    job_events, published = await _run_job(settings, deps, job, redis_url)
    failed = job_events[-1]
    assert isinstance(failed, JobFailed)
    assert "sustained memory pressure" in failed.message
    config = published[0]
    assert isinstance(config, DigitsMetricsConfig)
    assert (config.memory_mb, config.cpu_cores, config.device) == (512, 1, "cpu")
    assert config.type == "digits.metrics.config.v1"


async def test_two_epochs_without_activation(tmp_path: pathlib.Path, redis_url: str) -> None:
    bank = FakeDataBank()
    async with running_server(bank.app, grace_s=1.0) as bank_server:
        settings = make_settings(
            tmp_path,
            redis_url,
            APP__DATA_BANK_API_URL=bank_server.url,
            APP__DATA_BANK_API_KEY="bank-key",
            **TOY,
        )
        write_digits_mnist(settings.mnist_dir)
        deps = TrainDeps(settings, _noop)
        job = payload("plain", activate=False, epochs=2)
        job_events, published = await _run_job(settings, deps, job, redis_url)
    assert job_events[-1].kind == "completed"
    epochs = [e for e in published if e.type == "digits.metrics.epoch.v1"]
    bests = [e for e in published if e.type == "digits.metrics.best.v1"]
    assert len(epochs) == 2
    assert 1 <= len(bests) <= 2
    assert ModelStore(settings.model_dir).active_id() is None
    assert len(bank.files) == 1
