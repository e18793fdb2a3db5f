"""The `/healthz` and `/readyz` routes and their response bodies."""

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from platform_core.health.checks import NotReadyError, ReadinessCheck

READY_STATUS = 200
DEGRADED_STATUS = 503


class Liveness(BaseModel):
    """`GET /healthz`: `{"status": "ok"}`, always, with no dependency checks."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """`GET /readyz`: `{"status":"ready","reason":null}` or `{"status":"degraded","reason":...}`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Literal["ready", "degraded"]
    reason: str | None


_OK = Liveness().model_dump_json().encode()


async def readiness(check: ReadinessCheck) -> Readiness:
    """Run `check` once: ready, or degraded with the `NotReadyError` reason.

    Any other exception propagates (a bug in a check is a 500, not "degraded").
    """
    try:
        await check()
    except NotReadyError as exc:
        return Readiness(status="degraded", reason=exc.reason)
    return Readiness(status="ready", reason=None)


def _json(body: bytes, status: int) -> Response:
    return Response(body, status_code=status, media_type="application/json")


def health_routes(check: Callable[[], ReadinessCheck]) -> list[BaseRoute]:
    """`GET /healthz` and `GET /readyz` (200 ready, 503 degraded) as Starlette routes.

    `check` gives the readiness check to run for each request (the app factory passes
    the checks of the resources it opened at startup).
    """

    async def healthz(_: Request) -> Response:
        return _json(_OK, READY_STATUS)

    async def readyz(_: Request) -> Response:
        report = await readiness(check())
        status = READY_STATUS if report.status == "ready" else DEGRADED_STATUS
        return _json(report.model_dump_json().encode(), status)

    return [
        Route("/healthz", healthz, methods=["GET"], name="healthz"),
        Route("/readyz", readyz, methods=["GET"], name="readyz"),
    ]
