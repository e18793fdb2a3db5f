"""End to end: our server and worker binaries as child processes, the real data-bank-api
server, a real Redis, real HTTP; a Wikipedia job from request to downloaded result."""

from collections.abc import Iterator

import pytest
from pydantic import JsonValue

from platform_core.http_testing import RunningServer, http_client, json_object
from platform_workers.async_queue_testing import wait_until
from turkic_api.ipa import transliterate
from turkic_api.settings import TurkicSettings
from turkic_api_testing.dumps import FakeDumps, make_dump
from turkic_api_testing.processes import (
    ChildProcess,
    ServerProcess,
    logged,
    module_env,
    python_module,
)
from turkic_api_testing.sentences import SENTENCES


def environment(settings: TurkicSettings) -> dict[str, str]:
    return {
        "REDIS_URL": settings.redis_url,
        "TURKIC_DATA_DIR": str(settings.turkic_data_dir),
        "TURKIC_DATA_BANK_API_URL": settings.data_bank_url,
        "TURKIC_DATA_BANK_API_KEY": settings.turkic_data_bank_api_key.get_secret_value(),
        "TURKIC_WIKIPEDIA_BASE_URL": settings.turkic_wikipedia_base_url,
        "LOG_FORMAT": "json",
    }


@pytest.fixture()
def processes(settings: TurkicSettings) -> Iterator[tuple[ServerProcess, ChildProcess]]:
    env = module_env(environment(settings))
    with (
        ServerProcess(python_module("turkic_api.server"), env) as server,
        ChildProcess(python_module("turkic_api.worker"), env) as worker,
    ):
        worker.wait_for(logged("worker started"))
        yield server, worker
        assert worker.stop() == 0
        assert server.stop() == 0


async def test_a_job_through_the_binaries(
    settings: TurkicSettings,
    fake_dumps: tuple[FakeDumps, RunningServer],
    processes: tuple[ServerProcess, ChildProcess],
) -> None:
    fake_dumps[0].dumps["uz"] = make_dump([("A", ". ".join(SENTENCES["uz"]))], streams=2)
    server, _ = processes
    async with http_client(server.url) as client:
        ready = await client.get("/readyz")
        body: dict[str, JsonValue] = {"user_id": 3, "source": "wikipedia", "language": "uz"}
        created = await client.post("/api/v1/jobs", json=body)
        job_id = json_object(created)["job_id"]

        async def done() -> bool:
            view = json_object(await client.get(f"/api/v1/jobs/{job_id}"))
            return view["status"] in {"completed", "failed"}

        await wait_until(done, timeout_s=120.0, every_s=0.2)
        view = json_object(await client.get(f"/api/v1/jobs/{job_id}"))
        result = await client.get(f"/api/v1/jobs/{job_id}/result")
    assert ready.status_code == 200
    assert view["status"] == "completed", view
    assert result.text.splitlines() == [transliterate(s, "uz") for s in SENTENCES["uz"]]
