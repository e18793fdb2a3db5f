"""End to end: a real data-bank-api (its server in a child process), the digits worker (its
binary in a child process), the API on Hypercorn over real HTTP, one real Redis.

Train at toy size and activate, watch the job over `GET /api/v1/training/jobs/{id}`,
find the tarball in the data bank, read drawn PNG and JPEG digits and a scanned one with
the trained model, swap models under concurrent reads, read the metrics events back,
cancel a long run after its first batch, and train once more.
"""

import asyncio
import pathlib
import signal
import subprocess
from collections.abc import AsyncIterator, Mapping, Sequence

import pytest
from pydantic import JsonValue

from handwriting_ai.app import build_app
from handwriting_ai.digits_data import write_digits_mnist, write_samples
from handwriting_ai.jobs import QUEUE
from handwriting_ai.model import DigitResNet
from handwriting_ai.settings import HandwritingSettings, load_handwriting_settings
from handwriting_ai_events import (
    DIGITS_EVENTS,
    DigitsMetrics,
    DigitsMetricsBatch,
    DigitsMetricsCompleted,
)
from handwriting_ai_testing import KEY, draw_digit, manifest_json
from platform_core.async_events import Event
from platform_core.data_bank_client import DataBankClient
from platform_core.http_testing import HttpClient, json_object, running_server
from platform_core.loadgen import child_server, free_port, inherited_env, python_module
from platform_ml import module_state, state_dict_bytes
from platform_workers.async_queue import Queue
from platform_workers.async_queue_testing import Events
from platform_workers.async_redis import open_redis
from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["redis_server", "redis_url"]

DATA_BANK_SOURCES = pathlib.Path(__file__).resolve().parent.parent.parent / "data-bank-api"
BANK_KEY = "bank-key"
TOY_JOB: dict[str, JsonValue] = {
    "user_id": 7,
    "epochs": 1,
    "batch_size": 16,
    "lr": 0.001,
    "seed": 0,
    "activate": True,
}
"""A training job's body at toy size, less its `model_id`."""


@pytest.fixture()
async def data_bank(redis_url: str, tmp_path: pathlib.Path) -> AsyncIterator[str]:
    """data-bank-api's server binary on a free port; its URL."""
    port = free_port()
    env = inherited_env(
        {
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "REDIS_URL": redis_url,
            "DATA_ROOT": str(tmp_path / "bank"),
            "API_UPLOAD_KEYS": BANK_KEY,
            "MIN_FREE_GB": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    env["PYTHONPATH"] = f"{DATA_BANK_SOURCES}:{env['PYTHONPATH']}"
    command = python_module("data_bank_api.server")
    async with child_server(command, port=port, env=env, ready_path="/healthz"):
        yield f"http://127.0.0.1:{port}"


def service_env(root: pathlib.Path, redis_url: str, bank_url: str) -> dict[str, str]:
    """The environment API and worker share: the data bank, one model directory."""
    return {
        "REDIS_URL": redis_url,
        "SECURITY__API_KEY": "test-key",
        "APP__DATA_ROOT": str(root / "data"),
        "APP__ARTIFACTS_ROOT": str(root / "artifacts"),
        "APP__DATA_BANK_API_URL": bank_url,
        "APP__DATA_BANK_API_KEY": BANK_KEY,
        "DIGITS__MODEL_DIR": str(root / "models"),
        "DIGITS__RELOAD_INTERVAL_SECONDS": "0.05",
        "DIGITS__MAX_TRAIN_SAMPLES": "96",
        "LOG_FORMAT": "text",
    }


async def start_worker(env: Mapping[str, str], log: pathlib.Path) -> asyncio.subprocess.Process:
    """`python -m handwriting_ai.worker` with `env`, its output in `log`."""
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            *python_module("handwriting_ai.worker"),
            env=inherited_env(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def until_ready_reason(client: HttpClient, reason: str | None) -> None:
    """Poll /readyz until it gives `reason` (None: ready)."""
    async with asyncio.timeout(60):
        while True:
            answer = await client.get("/readyz")
            body = json_object(answer)
            if (answer.status_code == 200 and reason is None) or body.get("reason") == reason:
                return
            await asyncio.sleep(0.05)


async def train(client: HttpClient, model_id: str) -> dict[str, JsonValue]:
    """Submit a toy training job that activates its model; its finished view."""
    body: dict[str, JsonValue] = {**TOY_JOB, "model_id": model_id}
    accepted = await client.post("/api/v1/training/jobs", json=body, headers=KEY)
    assert accepted.status_code == 202, accepted.text
    view = await finished(client, str(json_object(accepted)["job_id"]))
    assert view["status"] == "completed", view
    assert view["progress"] == 100
    return view


async def finished(client: HttpClient, job_id: str) -> dict[str, JsonValue]:
    """Poll `GET /api/v1/training/jobs/{job_id}` until the job completed or failed."""
    async with asyncio.timeout(600):
        while True:
            view = json_object(await client.get(f"/api/v1/training/jobs/{job_id}", headers=KEY))
            assert view["status"] in ("queued", "processing", "completed", "failed"), view
            if view["status"] in ("completed", "failed"):
                return view
            await asyncio.sleep(0.1)


def batches(seen: Sequence[Event], job_id: str) -> list[DigitsMetricsBatch]:
    """The batch metrics events of `job_id`."""
    return [e for e in seen if isinstance(e, DigitsMetricsBatch) and e.job_id == job_id]


def weights(seed: int) -> bytes:
    """A random-init network's state dict."""
    import torch

    torch.manual_seed(seed)
    return state_dict_bytes(module_state(DigitResNet()))


async def upload(client: HttpClient, model_id: str, seed: int) -> None:
    """Upload and activate a model through the admin route."""
    form = {"model_id": model_id, "activate": "true"}
    answer = await client.post(
        "/v1/admin/models/upload",
        data=form,
        files={
            "manifest": ("manifest.json", manifest_json(model_id), "application/json"),
            "model": ("model.pt", weights(seed), "application/octet-stream"),
        },
        headers=KEY,
    )
    assert answer.status_code == 200, answer.text


async def read(client: HttpClient, image: bytes, media_type: str) -> dict[str, JsonValue]:
    """POST /v1/read with one drawn digit; the answer's body (200 asserted)."""
    answer = await client.post(
        "/v1/read", files={"file": ("digit", image, media_type)}, headers=KEY
    )
    assert answer.status_code == 200, answer.text
    return json_object(answer)


async def trained_and_stored(client: HttpClient, bank_url: str) -> None:
    """A toy job that activates its model completes; its tarball is in the data bank."""
    view = await train(client, "toy")
    result = view["result"]
    assert isinstance(result, dict)
    assert (result["model_id"], result["activated"], result["epochs"]) == ("toy", True, 1)
    async with DataBankClient(bank_url, BANK_KEY) as bank:
        stored = await bank.head(str(result["file_id"]))
    assert (stored.size, stored.sha256) == (result["file_size"], result["file_sha256"])


async def reads_with(client: HttpClient, model_id: str, samples: pathlib.Path) -> None:
    """PNG and JPEG drawn digits and a scanned one are read by `model_id`."""
    png = await read(client, draw_digit("1"), "image/png")
    jpeg = await read(client, draw_digit("7", image_format="JPEG"), "image/jpeg")
    sample = await read(client, write_samples(samples)[3].read_bytes(), "image/png")
    for body in (png, jpeg, sample):
        assert body["model_id"] == model_id
        probs = body["probs"]
        assert isinstance(probs, list)
        assert len(probs) == 10
        assert isinstance(body["digit"], int)


async def swapped_under_reads(client: HttpClient, old: str, new: str) -> None:
    """A hot swap while 16 clients read: each read is served whole by one model, and
    every later read by the new one."""
    image = draw_digit("0")
    reads = asyncio.gather(*(read(client, image, "image/png") for _ in range(16)))
    await upload(client, new, seed=3)
    served = {str(body["model_id"]) for body in await reads}
    assert served <= {old, new}
    after = await asyncio.gather(*(read(client, image, "image/png") for _ in range(16)))
    assert {str(body["model_id"]) for body in after} == {new}


async def metrics_then_cancelled(client: HttpClient, redis_url: str) -> None:
    """The toy job's metrics events are on the stream; a long run cancelled once it has
    trained a batch stops there and ends failed, without its completed event."""
    async with open_redis(redis_url) as redis:
        events = Events(redis, QUEUE, DIGITS_EVENTS)
        await events.until(lambda seen: any(e.type.endswith("completed.v1") for e in seen))
        metrics = [e.type for e in events.seen if isinstance(e, DigitsMetrics)]
        assert metrics[0] == "digits.metrics.config.v1"
        for kind in ("batch", "epoch", "best", "artifact", "upload", "completed"):
            assert f"digits.metrics.{kind}.v1" in metrics

        long_run: dict[str, JsonValue] = {**TOY_JOB, "model_id": "long", "epochs": 50}
        accepted = await client.post("/api/v1/training/jobs", json=long_run, headers=KEY)
        job_id = str(json_object(accepted)["job_id"])
        await events.until(lambda seen: bool(batches(seen, job_id)), timeout_s=120)
        assert await Queue(redis, QUEUE).cancel(job_id) == "cancelling"
        view = await finished(client, job_id)
        assert (view["status"], view["error"]) == ("failed", "cancelled: cancelled by request")
        await events.finished(job_id, timeout_s=60)
        assert len(batches(events.seen, job_id)) < 6 * 50  # 96 images, batches of 16
        done = [e for e in events.seen if isinstance(e, DigitsMetricsCompleted)]
        assert job_id not in {e.job_id for e in done}


async def test_train_activate_read_swap_and_cancel_over_http(
    tmp_path: pathlib.Path, redis_url: str, data_bank: str
) -> None:
    env = service_env(tmp_path, redis_url, data_bank)
    settings: HandwritingSettings = load_handwriting_settings(env)
    write_digits_mnist(settings.mnist_dir)
    worker = await start_worker(env, tmp_path / "worker.log")
    try:
        async with running_server(build_app(settings), grace_s=1.0) as api, api.client() as client:
            await until_ready_reason(client, "model not loaded")
            anonymous = await client.post("/v1/read", files={"file": ("d", b"x", "image/png")})
            assert anonymous.status_code == 401
            await trained_and_stored(client, data_bank)
            # the API's reloader picks the activated model up without a restart
            await until_ready_reason(client, None)
            active = json_object(await client.get("/v1/models/active"))
            assert (active["model_id"], active["model_loaded"]) == ("toy", True)
            await reads_with(client, "toy", tmp_path / "samples")
            await swapped_under_reads(client, "toy", "swapped")
            await metrics_then_cancelled(client, redis_url)
            # the worker is still serving: a job after the cancelled one completes
            await train(client, "after-cancel")
    finally:
        worker.send_signal(signal.SIGTERM)
        status = await worker.wait()
    assert status == 0, (tmp_path / "worker.log").read_text()
