"""The API served by Hypercorn on 127.0.0.1, called over real HTTP, with a real Redis:
reads, uploads, hot swap, jobs, every error path, readiness."""

import asyncio
import base64
import io
import pathlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from PIL import Image

from handwriting_ai.app import build_app
from handwriting_ai.model import DigitResNet
from handwriting_ai.settings import HandwritingSettings, load_handwriting_settings
from handwriting_ai_testing import KEY, draw_digit, make_settings, manifest_json
from platform_core.http_testing import HttpClient, HttpResponse, json_object, running_server
from platform_ml import module_state, state_dict_bytes
from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = ["redis_server", "redis_url"]


def weights(seed: int = 0) -> bytes:
    """A random-init network's state dict."""
    import torch

    torch.manual_seed(seed)
    return state_dict_bytes(module_state(DigitResNet()))


def upload_files(
    model_id: str, model: bytes, **changes: object
) -> dict[str, tuple[str, bytes, str]]:
    """The files of an upload form."""
    return {
        "manifest": ("manifest.json", manifest_json(model_id, **changes), "application/json"),
        "model": ("model.pt", model, "application/octet-stream"),
    }


def png(digit: str = "1") -> dict[str, tuple[str, bytes, str]]:
    """A read form's file part."""
    return {"file": ("digit.png", draw_digit(digit), "image/png")}


@asynccontextmanager
async def serve(settings: HandwritingSettings) -> AsyncIterator[HttpClient]:
    """The app on a real Hypercorn server on 127.0.0.1, and a client of it."""
    async with running_server(build_app(settings), grace_s=1.0) as server, server.client() as c:
        yield c


@pytest.fixture()
async def client(tmp_path: pathlib.Path, redis_url: str) -> AsyncIterator[HttpClient]:
    """The app with default settings, over HTTP."""
    async with serve(make_settings(tmp_path, redis_url)) as c:
        yield c


async def upload(client: HttpClient, model_id: str, seed: int = 0) -> HttpResponse:
    """Upload and activate a random-init model."""
    return await client.post(
        "/v1/admin/models/upload",
        data=form(model_id=model_id, activate="true"),
        files=upload_files(model_id, weights(seed)),
        headers=KEY,
    )


def err(response: HttpResponse) -> tuple[int, str]:
    """Status and code of an error envelope."""
    status, code, _ = error(response)
    return status, code


def form(**fields: str) -> dict[str, str]:
    """Plain form fields."""
    return fields


def error(response: HttpResponse) -> tuple[int, str, str]:
    """Status, code and message of an error envelope."""
    body = json_object(response)
    assert "code" in body, (response.status_code, body)
    return response.status_code, str(body["code"]), str(body["message"])


async def test_no_model_then_upload_then_read(client: HttpClient) -> None:
    assert json_object(await client.get("/v1/models/active")) == {
        "model_loaded": False,
        "model_id": None,
        "arch": None,
        "n_classes": None,
        "version": None,
        "created_at": None,
        "schema_version": None,
        "val_acc": None,
        "temperature": None,
    }
    assert err(await client.post("/v1/read", files=png(), headers=KEY)) == (
        503,
        "SERVICE_UNAVAILABLE",
    )
    uploaded = await upload(client, "m1")
    assert uploaded.status_code == 200, uploaded.text
    assert json_object(uploaded) == {
        "ok": True,
        "model_id": "m1",
        "run_id": "2026-12-03T15:00:00+00:00",
    }
    active = json_object(await client.get("/v1/models/active"))
    assert active["model_id"] == "m1"
    assert active["model_loaded"] is True
    for path in ("/v1/read", "/v1/predict"):
        answer = await client.post(path, files=png(), headers=KEY)
        assert answer.status_code == 200, answer.text
        body = json_object(answer)
        assert body["model_id"] == "m1"
        probs = body["probs"]
        assert isinstance(probs, list)
        assert len(probs) == 10
        assert body["visual_png_b64"] is None
        assert isinstance(body["digit"], int)


async def test_jpeg_visualize_and_options(client: HttpClient) -> None:
    await upload(client, "m1")
    jpeg = {"file": ("d.jpg", draw_digit("7", image_format="JPEG"), "image/jpeg")}
    answer = await client.post("/v1/read?visualize=true", files=jpeg, headers=KEY)
    visual = json_object(answer)["visual_png_b64"]
    assert isinstance(visual, str)
    assert Image.open(io.BytesIO(base64.b64decode(visual))).size == (112, 112)
    fields = form(invert="auto", center="false", visualize="no")
    answer = await client.post("/v1/read", data=fields, files=png(), headers=KEY)
    assert json_object(answer)["visual_png_b64"] is None
    forced = await client.post("/v1/read", data=form(invert="true"), files=png(), headers=KEY)
    assert forced.status_code == 200


async def test_read_errors(client: HttpClient) -> None:
    await upload(client, "m1")
    image = draw_digit()
    cases: list[
        tuple[
            dict[str, str],
            dict[str, tuple[str, bytes, str]] | list[tuple[str, tuple[str, bytes, str]]],
            tuple[int, str],
        ]
    ] = [
        ({"other": "x"}, png(), (400, "malformed_multipart")),
        (
            {},
            [("file", ("a.png", image, "image/png")), ("file", ("b.png", image, "image/png"))],
            (400, "malformed_multipart"),
        ),
        ({"center": "maybe"}, png(), (400, "malformed_multipart")),
        ({"x": "1"}, {}, (400, "malformed_multipart")),
        ({}, {"file": ("a.txt", b"hello", "text/plain")}, (415, "UNSUPPORTED_MEDIA_TYPE")),
        ({}, {"file": ("a.png", b"not an image", "image/png")}, (400, "invalid_image")),
        ({}, {"file": ("a.png", image[: len(image) // 2], "image/png")}, (400, "invalid_image")),
    ]
    for data, files, expected in cases:
        answer = await client.post("/v1/read", data=data, files=files, headers=KEY)
        assert answer.status_code != 200, (data, files if isinstance(files, dict) else "list")
        assert err(answer) == expected, (data, answer.text)
    only_a_field = b'--b\r\nContent-Disposition: form-data; name="center"\r\n\r\ntrue\r\n--b--\r\n'
    missing = await client.post(
        "/v1/read",
        content=only_a_field,
        headers={**KEY, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert error(missing) == (400, "malformed_multipart", "file is required")
    not_form = await client.post(
        "/v1/read", content=b"{}", headers={**KEY, "Content-Type": "application/json"}
    )
    assert err(not_form) == (400, "malformed_multipart")
    broken = await client.post(
        "/v1/read",
        content=b"--bX",
        headers={**KEY, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert err(broken) == (400, "malformed_multipart")
    black = io.BytesIO()
    Image.new("L", (40, 40), 0).save(black, format="PNG")
    answer = await client.post(
        "/v1/read",
        data=form(invert="false"),
        files={"file": ("b.png", black.getvalue(), "image/png")},
        headers=KEY,
    )
    assert error(answer) == (400, "preprocessing_failed", "no connected component found")
    assert err(await client.post("/v1/read", files=png())) == (401, "UNAUTHORIZED")


async def test_limits(tmp_path: pathlib.Path, redis_url: str) -> None:
    settings = make_settings(
        tmp_path,
        redis_url,
        DIGITS__MAX_IMAGE_MB="0.001",
        DIGITS__MAX_IMAGE_SIDE_PX="50",
        DIGITS__MAX_IMAGE_PIXELS="5000",
        DIGITS__VISUALIZE_MAX_KB="0",
    )
    async with serve(settings) as client:
        await upload(client, "m1")
        big = {"file": ("a.png", b"x" * 2000, "image/png")}
        assert error(await client.post("/v1/read", files=big, headers=KEY)) == (
            413,
            "PAYLOAD_TOO_LARGE",
            "File exceeds size limit",
        )
        huge = await client.post(
            "/v1/read", files={"file": ("a.png", b"x" * 100_000, "image/png")}, headers=KEY
        )
        assert err(huge) == (413, "PAYLOAD_TOO_LARGE")
        bomb = {"file": ("a.png", draw_digit(size=80), "image/png")}
        assert error(await client.post("/v1/read", files=bomb, headers=KEY)) == (
            413,
            "PAYLOAD_TOO_LARGE",
            "Decompression bomb triggered",
        )
        wide_image = io.BytesIO()
        Image.new("L", (60, 10), 255).save(wide_image, format="PNG")
        wide = {"file": ("a.png", wide_image.getvalue(), "image/png")}
        assert err(await client.post("/v1/read", files=wide, headers=KEY)) == (
            400,
            "bad_dimensions",
        )
        small = {"file": ("a.png", draw_digit(size=40), "image/png")}
        answer = await client.post("/v1/read?visualize=true", files=small, headers=KEY)
        assert json_object(answer)["visual_png_b64"] is None


async def test_timeout(tmp_path: pathlib.Path, redis_url: str) -> None:
    settings = make_settings(tmp_path, redis_url, DIGITS__PREDICT_TIMEOUT_SECONDS="0.0001")
    async with serve(settings) as client:
        await upload(client, "m1")
        assert error(await client.post("/v1/read", files=png(), headers=KEY)) == (
            504,
            "TIMEOUT",
            "Prediction timed out",
        )


async def test_upload_errors(client: HttpClient) -> None:
    good = weights()
    cases = [
        (
            {"model_id": "m1"},
            {"manifest": ("m", b"not json", "application/json"), "model": ("w", good, "x")},
            "preprocessing_failed",
            "Invalid manifest",
        ),
        (
            {"model_id": "m1"},
            upload_files("m1", good, preprocess_hash="v0"),
            "preprocessing_failed",
            "Preprocess signature mismatch",
        ),
        ({"model_id": "m2"}, upload_files("m1", good), "preprocessing_failed", "Model id mismatch"),
        ({"model_id": "m1"}, upload_files("m1", b""), "invalid_model", "Invalid model file"),
        ({"model_id": "m1"}, upload_files("m1", b"junk"), "invalid_model", "Invalid model file"),
        (
            {"model_id": "m1", "x": "1"},
            upload_files("m1", good),
            "malformed_multipart",
            "Unexpected form field",
        ),
        ({}, upload_files("m1", good), "malformed_multipart", "model_id is required"),
    ]
    for data, files, code, message in cases:
        answer = await client.post("/v1/admin/models/upload", data=data, files=files, headers=KEY)
        status, got_code, got_message = error(answer)
        assert (status, got_code) == (400, code), answer.text
        assert got_message.startswith(message)
    # installed without activation: served model unchanged
    plain = await client.post(
        "/v1/admin/models/upload",
        data=form(model_id="m9"),
        files=upload_files("m9", good),
        headers=KEY,
    )
    assert plain.status_code == 200
    assert json_object(await client.get("/v1/models/active"))["model_loaded"] is False


async def test_hot_swap_under_concurrent_reads(client: HttpClient) -> None:
    await upload(client, "a", seed=1)

    async def read() -> str:
        answer = await client.post("/v1/read", files=png("0"), headers=KEY)
        assert answer.status_code == 200, answer.text
        return str(json_object(answer)["model_id"])

    before = asyncio.gather(*(read() for _ in range(4)))
    swapped = await upload(client, "b", seed=2)
    assert swapped.status_code == 200
    assert set(await before) <= {"a", "b"}
    assert set(await asyncio.gather(*(read() for _ in range(4)))) == {"b"}


async def test_training_job_api(client: HttpClient) -> None:
    body = {
        "user_id": 7,
        "model_id": "t1",
        "epochs": 1,
        "batch_size": 8,
        "lr": 0.001,
        "seed": 0,
        "device": "cuda",
    }
    accepted = await client.post("/api/v1/training/jobs", json=body, headers=KEY)
    assert accepted.status_code == 202, accepted.text
    job = json_object(accepted)
    assert job["status"] == "queued"
    assert job["job_id"] == job["request_id"]
    view = json_object(await client.get(f"/api/v1/training/jobs/{job['job_id']}", headers=KEY))
    assert (view["status"], view["model_id"], view["user_id"], view["result"]) == (
        "queued",
        "t1",
        7,
        None,
    )
    missing = await client.get("/api/v1/training/jobs/nope", headers=KEY)
    assert err(missing) == (404, "NOT_FOUND")
    zero_epochs: dict[str, object] = {**body, "epochs": 0}
    bad = await client.post("/api/v1/training/jobs", json=zero_epochs, headers=KEY)
    assert bad.status_code == 400
    bool_user: dict[str, object] = {**body, "user_id": True}
    boolean = await client.post("/api/v1/training/jobs", json=bool_user, headers=KEY)
    assert boolean.status_code == 400
    assert (await client.post("/api/v1/training/jobs", json=body)).status_code == 401


async def test_readiness(client: HttpClient) -> None:
    assert (await client.get("/healthz")).status_code == 200
    not_ready = await client.get("/readyz")
    assert not_ready.status_code == 503


def test_settings_need_a_key_or_an_explicit_open_switch(tmp_path: pathlib.Path) -> None:
    from platform_core.config import ConfigError

    base = {
        "REDIS_URL": "redis://127.0.0.1:1",
        "APP__DATA_ROOT": str(tmp_path),
        "APP__ARTIFACTS_ROOT": str(tmp_path),
        "DIGITS__MODEL_DIR": str(tmp_path),
    }
    with pytest.raises(ConfigError, match="SECURITY__API_KEY"):
        load_handwriting_settings(base)
    opened = load_handwriting_settings(
        {**base, "SECURITY__API_KEY_ENABLED": "false", "API_GATEWAY_URL": "http://gw/"}
    )
    assert opened.data_bank_url == "http://gw/data-bank"
    assert opened.mnist_dir == tmp_path / "mnist"
    assert opened.inference_threads >= 1
    assert opened.max_image_bytes == 10 * 1024 * 1024


async def test_ready_once_a_worker_and_a_model_are_there(
    tmp_path: pathlib.Path, redis_url: str
) -> None:
    from handwriting_ai.jobs import QUEUE, TrainPayload, TrainResult, train_task
    from platform_workers.async_queue import JobContext
    from platform_workers.async_queue_testing import running
    from platform_workers.async_redis import open_redis

    settings = make_settings(tmp_path, redis_url)

    async def never(payload: TrainPayload, ctx: JobContext) -> TrainResult:
        raise AssertionError("no job is queued in this test")

    async with (
        serve(settings) as client,
        open_redis(redis_url) as redis,
        running(redis, QUEUE, [train_task(settings).handler(never)]),
    ):
        assert json_object(await client.get("/readyz"))["reason"] == "model not loaded"
        await upload(client, "m1")
        assert (await client.get("/readyz")).status_code == 200


async def test_corrupt_job_status_is_500(client: HttpClient, redis_url: str) -> None:
    from platform_workers.async_queue import QueueKeys
    from platform_workers.async_redis import open_redis

    async with open_redis(redis_url) as redis:
        await redis.hset(QueueKeys("digits").job("j1"), {"status": "nonsense"})
    answer = await client.get("/api/v1/training/jobs/j1", headers=KEY)
    assert err(answer) == (500, "INTERNAL_ERROR")


async def test_part_without_form_data_disposition(client: HttpClient) -> None:
    body = b"--b\r\nContent-Disposition: attachment\r\n\r\nx\r\n--b--\r\n"
    headers = {**KEY, "Content-Type": "multipart/form-data; boundary=b"}
    answer = await client.post("/v1/read", content=body, headers=headers)
    assert error(answer) == (
        400,
        "malformed_multipart",
        "a multipart part without Content-Disposition: form-data",
    )
