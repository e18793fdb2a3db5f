"""`/readyz`: Redis, a live `turkic` worker, the data directory (the model is loaded at
startup); `/healthz` needs nothing."""

import shutil

from platform_core.http_testing import app_client, json_object
from platform_workers.async_queue_testing import ECHO, echo, running
from platform_workers.async_redis import open_redis
from turkic_api.app import build_app
from turkic_api.jobs import QUEUE
from turkic_api.settings import TurkicSettings


async def test_ready_once_a_worker_is_live_and_the_data_dir_exists(
    settings: TurkicSettings,
) -> None:
    async with app_client(build_app(settings)) as client, open_redis(settings.redis_url) as redis:
        alive = await client.get("/healthz")
        no_worker = await client.get("/readyz")
        async with running(redis, QUEUE, [ECHO.handler(echo)]):
            ready = await client.get("/readyz")
            shutil.rmtree(settings.turkic_data_dir)
            no_data = await client.get("/readyz")
    assert json_object(alive) == {"status": "ok"}
    assert no_worker.status_code == 503
    assert json_object(no_worker)["reason"] == "no-worker"
    assert ready.status_code == 200
    assert no_data.status_code == 503
    assert json_object(no_data)["reason"] == "data volume not found"
