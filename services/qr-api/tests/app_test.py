"""The app in-process (kit's ASGI client): routing, limits, negotiation, pool saturation."""

import asyncio
import threading
from collections.abc import AsyncIterator
from concurrent.futures import Executor, ThreadPoolExecutor

import pytest

from platform_core.config import load_settings
from platform_core.http_testing import HttpClient, app_client, json_at, json_object
from qr_api.app import QrContext, build_app, etag, readiness
from qr_api.render import capacity_message
from qr_api.render_pool import RenderPool
from qr_api.request import QrOptions
from qr_api.settings import QrSettings
from qr_api_testing.json_io import json_field, json_payload
from qr_api_testing.reader import QrReader


class GatedThreads(ThreadPoolExecutor):
    """Threads whose work can be held back: `hold()` occupies every thread until `release()`."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        self.workers = workers
        self.gate = threading.Event()
        self.shut_down = False

    def hold(self) -> None:
        for _ in range(self.workers):
            self.submit(self.gate.wait)

    def release(self) -> None:
        self.gate.set()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.shut_down = True
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


@pytest.fixture()
def threads() -> GatedThreads:
    return GatedThreads(1)


@pytest.fixture()
async def client(threads: GatedThreads) -> AsyncIterator[HttpClient]:
    def factory(workers: int) -> Executor:
        assert workers == 1
        return threads

    settings = load_settings(
        QrSettings,
        {"QR_RENDER_WORKERS": "1", "QR_MAX_BODY_BYTES": "4096", "QR_DEFAULT_BOX_SIZE": "6"},
    )
    async with app_client(build_app(settings, factory)) as running:
        yield running
    assert threads.shut_down


async def test_healthz_answers_while_every_render_worker_is_busy(
    client: HttpClient, threads: GatedThreads, qr_reader: QrReader
) -> None:
    threads.hold()
    render = asyncio.create_task(
        client.post("/v1/qr", content=json_payload(url="example.com/busy"))
    )
    health = await client.get("/healthz")
    ready = await client.get("/readyz")
    assert health.status_code == 200
    assert ready.status_code == 200
    assert not render.done()
    threads.release()
    response = await render
    assert response.status_code == 200
    assert qr_reader.read(response.content, box_size=6).text == "https://example.com/busy"


async def test_env_defaults_apply(client: HttpClient, qr_reader: QrReader) -> None:
    threads_free = await client.post("/v1/qr", content=json_payload(url="localhost"))
    assert qr_reader.read(threads_free.content, box_size=6).text == "https://localhost"


async def test_body_limit(client: HttpClient) -> None:
    response = await client.post("/v1/qr", content=b'{"url": "' + b"a" * 5000 + b'"}')
    assert response.status_code == 413
    assert json_field(response.content, "code") == "PAYLOAD_TOO_LARGE"


async def test_content_type_is_not_checked(client: HttpClient) -> None:
    response = await client.post(
        "/v1/qr", content=b'{"url": "example.com"}', headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 200


async def test_bad_accept_header(client: HttpClient) -> None:
    response = await client.post(
        "/v1/qr", content=json_payload(url="example.com"), headers={"Accept": "image/svg+xml;q=5"}
    )
    assert response.status_code == 400
    assert json_field(response.content, "message") == "Invalid Accept header"


async def test_url_too_long_for_the_level(client: HttpClient) -> None:
    url = "https://example.com/" + "z" * 1500
    response = await client.post("/v1/qr", content=json_payload(url=url, ecc="H"))
    assert response.status_code == 400
    assert json_field(response.content, "code") == "INVALID_INPUT"
    assert json_field(response.content, "message") == capacity_message("H")


async def test_methods_and_routes(client: HttpClient) -> None:
    wrong_method = await client.get("/v1/qr")
    unknown = await client.post("/v1/qrcode", content=json_payload(url="example.com"))
    assert wrong_method.status_code == 405
    assert json_field(wrong_method.content, "code") == "METHOD_NOT_ALLOWED"
    assert unknown.status_code == 404
    assert json_field(unknown.content, "code") == "NOT_FOUND"


async def test_openapi_documents_the_route(client: HttpClient) -> None:
    document = json_object(await client.get("/openapi.json"))
    operation = json_at(document, "paths", "/v1/qr", "post")
    assert json_at(operation, "requestBody", "content") == {
        "application/json": {"schema": {"$ref": "#/components/schemas/QrRequestDocument"}}
    }
    body = json_at(document, "components", "schemas", "QrRequestDocument")
    assert json_at(body, "required") == ["url"]
    properties = json_at(body, "properties")
    assert isinstance(properties, dict)
    assert set(properties) == {"url", "ecc", "box_size", "border", "fill_color", "back_color"}
    images = json_at(operation, "responses", "200", "content")
    assert isinstance(images, dict)
    assert set(images) == {"image/png", "image/svg+xml"}


def test_etag_is_the_quoted_sha256() -> None:
    assert etag(b"") == '"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"'


async def test_readiness_is_the_render_pool_check() -> None:
    with ThreadPoolExecutor(1) as executor:
        pool = RenderPool(executor)
        checks = readiness(QrContext(defaults=QrOptions(), pool=pool))
        assert len(checks) == 1
        await checks[0]()
