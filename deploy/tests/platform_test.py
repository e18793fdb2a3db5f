"""The whole platform runs from its images with podman-compose, as compose.yaml says."""

import asyncio
import os
import pathlib

import pytest

from platform_core.data_bank_client import DataBankClient
from platform_core.http_testing import http_client, json_at, json_object
from platform_deploy.compose import load, parse
from platform_deploy.platform_run import Platform, PlatformError, image_list, published_ports
from platform_image.podman import Podman

UPLOAD_KEY = "compose-test-upload"
DELETE_KEY = "compose-test-admin"
SECRETS = {
    "DATA_BANK_UPLOAD_KEYS": UPLOAD_KEY,
    "DATA_BANK_DELETE_KEYS": DELETE_KEY,
    "OPENAI_API_KEY": "sk-compose-test-placeholder",
}
READY_S = 240.0
POLL_S = 0.5


async def _scrub(base_url: str) -> str:
    """Upload a file, then run a data-bank scrub job through the worker; its job id."""
    async with DataBankClient(base_url, UPLOAD_KEY) as bank:
        stored = await bank.upload(
            b"bytes kept by the platform's images", content_type="text/plain"
        )
    assert stored.size == 35
    async with http_client(base_url) as client:
        answer = await client.post("/admin/verify", headers={"X-API-Key": DELETE_KEY})
        assert answer.status_code == 202, answer.text
        job_id = json_at(json_object(answer), "job_id")
        assert isinstance(job_id, str)
        await _job_completed(base_url, job_id)
    return job_id


async def _job_completed(base_url: str, job_id: str) -> None:
    """Poll the job until it is completed with one object checked and nothing found."""
    loop = asyncio.get_running_loop()
    end = loop.time() + READY_S
    status: object = None
    async with http_client(base_url) as client:
        while loop.time() < end:
            answer = await client.get(f"/admin/verify/{job_id}", headers={"X-API-Key": DELETE_KEY})
            if answer.status_code == 200:
                body = json_object(answer)
                status = json_at(body, "status")
                if status == "completed":
                    assert json_at(body, "report", "objects_checked") == 1
                    assert json_at(body, "report", "findings") == []
                    return
            await asyncio.sleep(POLL_S)
    pytest.fail(f"job {job_id} not completed within {READY_S} s (last status {status!r})")


async def _restarted(platform: Platform, service: str) -> None:
    """Wait until the engine has restarted a service's container at least once."""
    loop = asyncio.get_running_loop()
    end = loop.time() + READY_S
    while loop.time() < end:
        if await platform.restarts(service) > 0:
            return
        await asyncio.sleep(POLL_S)
    pytest.fail(f"{service} was not restarted within {READY_S} s\n{await platform.logs()}")


async def test_the_platform_runs_from_its_images(
    compose_file: pathlib.Path,
    images: dict[str, pathlib.Path],
    containers_conf: pathlib.Path,
    tmp_path: pathlib.Path,
) -> None:
    compose = load(compose_file)
    async with Podman.private(tmp_path, containers_conf) as podman:
        platform = Platform(podman, compose_file, compose, project=f"platform{os.getpid()}")
        await platform.up(images, SECRETS)
        try:
            await platform.wait_ready(READY_S)
            # Every container's own health check passes (workers: their service's /readyz).
            health = await platform.health()
            assert {s: h.returncode for s, h in health.items()} == dict.fromkeys(health, 0), health

            # A job completes inside the images: data-bank-api enqueues, its worker scrubs
            # the file the server stored on the shared volume.
            base_url = f"http://127.0.0.1:{platform.ports['data-bank-api']}"
            job_id = await _scrub(base_url)

            # Redis stops: workers stop with it and the restart policy brings them back;
            # Redis starts again from its append-only file, so the finished job is still there.
            assert await platform.stop("redis") == 0
            await _restarted(platform, "data-bank-worker")
            await platform.start("redis")
            await platform.wait_ready(READY_S)
            await _job_completed(base_url, job_id)

            # SIGTERM stops every container cleanly.
            codes = await platform.stop_all()
            assert codes == dict.fromkeys(compose.services, 0), f"{codes}\n{await platform.logs()}"
        finally:
            await platform.down()


async def test_failures_name_what_failed(
    compose_file: pathlib.Path, containers_conf: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    compose = load(compose_file)
    async with Podman.private(tmp_path, containers_conf) as podman:
        platform = Platform(podman, compose_file, compose, project="nothing")
        platform.ports = {"qr-api": 1}
        with pytest.raises(PlatformError, match=r"not ready within 0.5 s: qr-api: GET http://127"):
            await platform.wait_ready(0.5)
        assert (await platform.health())["qr-api"].returncode != 0
        platform.compose_file = tmp_path / "missing.yaml"
        with pytest.raises(PlatformError, match="podman-compose ps failed"):
            await platform.compose_command("ps")


def test_ports_must_name_their_variable(compose_file: pathlib.Path) -> None:
    compose = load(compose_file)
    assert published_ports(compose) == {
        "data-bank-api": "DATA_BANK_API_PORT",
        "qr-api": "QR_API_PORT",
        "transcript-api": "TRANSCRIPT_API_PORT",
    }
    fixed = parse("services:\n  qr-api: {image: x, ports: ['8002:8002']}\n")
    with pytest.raises(PlatformError, match="qr-api: port '8002:8002' is not written"):
        published_ports(fixed)


def test_image_lists_are_tag_equals_layout() -> None:
    assert image_list(["a:1=x/y"]) == {"a:1": pathlib.Path("x/y").resolve()}
    with pytest.raises(ValueError, match="expected TAG=LAYOUT"):
        image_list(["a:1"])
