"""Test helpers for apps built with `platform_core.http` (a test-only target).

    async with app_client(app) as client:          # in-process, lifespan run
        response = await client.post("/v1/items", json={...})

    async with running_server(app) as server:      # real Hypercorn on 127.0.0.1
        async with server.client() as client:
            response = await client.get("/healthz")

Both run the app's startup and shutdown; `httpx.AsyncClient` is the client, and
`json_object(response)` reads a JSON body without `Any` (or parse it with your model:
`Item.model_validate_json(response.content)`); `json_at(value, "a", "b")` digs into it.
`HttpClient` and `HttpResponse` name httpx's types for annotations: service tests reach
HTTP only through these helpers (the lint gate keeps `import httpx` in the libs).
"""

from httpx import AsyncClient as HttpClient
from httpx import Response as HttpResponse

from platform_core.http_testing.clients import app_client, http_client
from platform_core.http_testing.json_body import json_at, json_object
from platform_core.http_testing.lifespan import LifespanError, lifespan
from platform_core.http_testing.server import RunningServer, running_server

__all__ = [
    "HttpClient",
    "HttpResponse",
    "LifespanError",
    "RunningServer",
    "app_client",
    "http_client",
    "json_at",
    "json_object",
    "lifespan",
    "running_server",
]
