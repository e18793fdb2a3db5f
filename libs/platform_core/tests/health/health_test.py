"""Readiness checks and the /healthz, /readyz routes."""

import asyncio

import httpx
import pytest
from starlette.applications import Starlette

from platform_core.health import (
    Liveness,
    NotReadyError,
    Readiness,
    ReadinessCheck,
    all_of,
    health_routes,
    readiness,
    with_timeout,
)


async def ok() -> None:
    """Always ready."""


def failing(reason: str, calls: list[str]) -> ReadinessCheck:
    """A check that records its call and is not ready."""

    async def check() -> None:
        calls.append(reason)
        raise NotReadyError(reason)

    return check


def recording(name: str, calls: list[str]) -> ReadinessCheck:
    """A ready check that records its call."""

    async def check() -> None:
        calls.append(name)

    return check


async def test_ready_when_every_check_passes() -> None:
    calls: list[str] = []
    report = await readiness(all_of(recording("a", calls), recording("b", calls)))
    assert report == Readiness(status="ready", reason=None)
    assert calls == ["a", "b"]


async def test_first_failure_wins_and_later_checks_do_not_run() -> None:
    calls: list[str] = []
    check = all_of(recording("redis", calls), failing("no-worker", calls), failing("disk", calls))
    assert await readiness(check) == Readiness(status="degraded", reason="no-worker")
    assert calls == ["redis", "no-worker"]


async def test_no_checks_is_ready() -> None:
    assert (await readiness(all_of())).status == "ready"


async def test_other_exceptions_propagate() -> None:
    async def broken() -> None:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await readiness(broken)


def test_a_reason_is_required() -> None:
    assert NotReadyError("redis error").reason == "redis error"
    assert str(NotReadyError("redis error")) == "redis error"
    with pytest.raises(ValueError, match="needs a reason"):
        NotReadyError("  ")


async def test_timeout_turns_a_hung_check_into_its_reason() -> None:
    never = asyncio.Event()

    async def hangs() -> None:
        await never.wait()

    assert await readiness(with_timeout(hangs, 0.01, "redis timeout")) == Readiness(
        status="degraded", reason="redis timeout"
    )
    assert (await readiness(with_timeout(ok, 5, "slow"))).status == "ready"
    with pytest.raises(ValueError, match="must be positive"):
        with_timeout(ok, 0, "x")


async def test_timeout_keeps_the_checks_own_reason() -> None:
    assert await readiness(with_timeout(failing("redis no-pong", []), 5, "t")) == Readiness(
        status="degraded", reason="redis no-pong"
    )


def app_with(check: ReadinessCheck) -> Starlette:
    """A bare app with only the health routes."""
    return Starlette(routes=health_routes(lambda: check))


async def get(app: Starlette, path: str) -> httpx.Response:
    """One GET through the app, in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path)


async def test_healthz_is_always_ok() -> None:
    response = await get(app_with(failing("down", [])), "/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b'{"status":"ok"}'
    assert Liveness().status == "ok"


async def test_readyz_ready() -> None:
    response = await get(app_with(ok), "/readyz")
    assert response.status_code == 200
    assert response.content == b'{"status":"ready","reason":null}'


async def test_readyz_degraded_is_503_with_the_reason() -> None:
    response = await get(app_with(failing("redis error", [])), "/readyz")
    assert response.status_code == 503
    assert response.content == b'{"status":"degraded","reason":"redis error"}'


async def test_checks_are_taken_per_request() -> None:
    current: list[ReadinessCheck] = [ok]
    app = Starlette(routes=health_routes(lambda: current[0]))
    assert (await get(app, "/readyz")).status_code == 200
    current[0] = failing("later", [])
    assert (await get(app, "/readyz")).content == b'{"status":"degraded","reason":"later"}'
