"""A Redis failure behind a route answers 503 "job store unavailable" through the table row."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pydantic import BaseModel
from starlette.applications import Starlette

from platform_core.http import Call, create_app, get
from platform_core.http.redis_errors import STORE_UNAVAILABLE, store_unavailable
from platform_core.http_testing import app_client, json_object
from platform_workers.async_redis import RedisClient, RedisConnectionError, open_redis
from platform_workers.testing.redis_server import free_port


class Stored(BaseModel):
    """What the route read."""

    value: str | None


async def read(call: Call[RedisClient]) -> Stored:
    """Read one key."""
    return Stored(value=await call.ctx.get("k"))


def app(url: str) -> Starlette:
    @asynccontextmanager
    async def resources(_: str) -> AsyncIterator[RedisClient]:
        async with open_redis(url, connect_timeout_s=1.0) as redis:
            yield redis

    return create_app(
        service="store-api",
        settings=url,
        resources=resources,
        routes=[get("/value").returns(Stored).to(read)],
        errors=[STORE_UNAVAILABLE],
    )


async def test_a_redis_failure_is_503_store_unavailable() -> None:
    async with app_client(app(f"redis://127.0.0.1:{free_port()}/0")) as client:
        answer = await client.get("/value")
    assert answer.status_code == 503
    body = json_object(answer)
    assert body["code"] == "SERVICE_UNAVAILABLE"
    message = body["message"]
    assert isinstance(message, str)
    assert message.startswith("job store unavailable: ")


async def test_redis_answering_is_not_an_error(redis_url: str) -> None:
    async with app_client(app(redis_url)) as client:
        answer = await client.get("/value")
    assert (answer.status_code, json_object(answer)) == (200, {"value": None})


def test_the_message_names_the_failure() -> None:
    error = store_unavailable(RedisConnectionError("connection refused"))
    assert (error.status, error.code, error.message) == (
        503,
        "SERVICE_UNAVAILABLE",
        "job store unavailable: connection refused",
    )
