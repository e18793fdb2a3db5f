"""The HTTP API in process (httpx over ASGI), with real Redis and a real data root."""

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from data_bank_api.app import Collaborators, build_app
from data_bank_api.engine import Engine
from data_bank_api.files import OS_FILES
from data_bank_api.free_space import statvfs_free_bytes
from data_bank_api.jobs import SCRUB, scrub_handler
from data_bank_api.layout import Layout
from data_bank_api.scrub import Scrubber
from data_bank_api.settings import DataBankSettings
from data_bank_testing.faults import GIB, FaultyFiles, FreeSpace, disk_full, io_error
from platform_core.async_events import JobCompleted
from platform_core.http_testing import HttpClient, HttpResponse, app_client, json_at, json_object
from platform_workers.async_queue import Queue, Runnable
from platform_workers.async_queue_testing import ECHO, Echo, Events, running, wait_until
from platform_workers.async_redis import open_redis
from platform_workers.testing.redis_server import RedisServer

UP, RD, DEL = "upload-key", "read-key", "delete-key"
CONTENT = b"The quick brown fox jumps over the lazy dog\n" * 100
CONTENT_ID = hashlib.sha256(CONTENT).hexdigest()
MAX_FILE_BYTES = 256 * 1024


@dataclass
class Api:
    """The app in process, with its injected collaborators and data root."""

    client: HttpClient
    files: FaultyFiles
    free_space: FreeSpace
    root: Path
    settings: DataBankSettings

    async def upload(
        self,
        data: bytes = CONTENT,
        content_type: str | None = "text/plain",
        key: str | None = UP,
    ) -> HttpResponse:
        part: tuple[str, bytes] | tuple[str, bytes, str] = (
            ("blob", data) if content_type is None else ("blob", data, content_type)
        )
        headers = {} if key is None else {"X-API-Key": key}
        return await self.client.post("/files", files={"file": part}, headers=headers)

    async def get(self, path: str, key: str | None = RD, **headers: str) -> HttpResponse:
        sent = dict(headers) if key is None else {"X-API-Key": key, **headers}
        return await self.client.get(path, headers=sent)


def make_settings(root: Path, redis_url: str, **overrides: str) -> DataBankSettings:
    values: dict[str, object] = {
        "redis_url": redis_url,
        "api_upload_keys": (UP,),
        "api_read_keys": (RD,),
        "api_delete_keys": (DEL,),
        "data_root": root,
        "max_file_bytes": MAX_FILE_BYTES,
        "min_free_gb": 1,
        **overrides,
    }
    return DataBankSettings.model_validate(values)


@pytest.fixture()
async def api(
    data_root: Path, redis_url: str, faulty_files: FaultyFiles, free_space: FreeSpace
) -> AsyncIterator[Api]:
    settings = make_settings(data_root, redis_url)
    app = build_app(settings, Collaborators(files=faulty_files, free_space=free_space))
    async with app_client(app) as client:
        yield Api(client, faulty_files, free_space, data_root, settings)


def error(response: HttpResponse) -> tuple[int, str, str]:
    body = json_object(response)
    code, message = body["code"], body["message"]
    assert isinstance(code, str)
    assert isinstance(message, str)
    return response.status_code, code, message


async def test_upload_then_read_back(api: Api) -> None:
    created = await api.upload()
    assert created.status_code == 201
    body = json_object(created)
    assert body["file_id"] == body["sha256"] == CONTENT_ID
    assert body["size"] == len(CONTENT)
    assert body["content_type"] == "text/plain"
    created_at = body["created_at"]
    assert isinstance(created_at, str)
    assert created_at.endswith("+00:00")
    info = await api.get(f"/files/{CONTENT_ID}/info")
    assert json_object(info) == body
    got = await api.get(f"/files/{CONTENT_ID}")
    assert got.status_code == 200
    assert got.content == CONTENT
    assert got.headers["content-type"] == "text/plain"
    assert got.headers["content-length"] == str(len(CONTENT))
    assert got.headers["etag"] == f'"{CONTENT_ID}"'
    assert got.headers["accept-ranges"] == "bytes"
    assert got.headers["last-modified"].endswith(" GMT")
    head = await api.client.head(f"/files/{CONTENT_ID}", headers={"X-API-Key": RD})
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "accept-ranges", "last-modified"):
        assert head.headers[name] == got.headers[name]


async def test_uppercase_ids_are_accepted(api: Api) -> None:
    await api.upload()
    assert (await api.get(f"/files/{CONTENT_ID.upper()}/info")).status_code == 200


async def test_default_content_type(api: Api) -> None:
    created = await api.upload(b"raw bytes", content_type=None)
    assert json_object(created)["content_type"] == "application/octet-stream"


async def test_duplicate_upload_keeps_the_first_metadata(api: Api) -> None:
    first = json_object(await api.upload(content_type="text/plain"))
    again = await api.upload(content_type="application/json")
    assert again.status_code == 201
    assert json_object(again) == first
    assert (await api.get(f"/files/{CONTENT_ID}")).headers["content-type"] == "text/plain"


async def test_zero_byte_file(api: Api) -> None:
    created = json_object(await api.upload(b""))
    file_id = created["file_id"]
    assert file_id == hashlib.sha256(b"").hexdigest()
    got = await api.get(f"/files/{file_id}")
    assert got.status_code == 200
    assert got.content == b""
    assert got.headers["content-length"] == "0"
    suffix = await api.get(f"/files/{file_id}", Range="bytes=-5")
    assert suffix.status_code == 200
    start = await api.get(f"/files/{file_id}", Range="bytes=0-")
    assert error(start) == (416, "RANGE_NOT_SATISFIABLE", "unsatisfiable range")
    assert start.headers["content-range"] == "bytes */0"


@pytest.mark.parametrize(
    ("header", "status", "expected", "content_range"),
    [
        ("bytes=0-9", 206, CONTENT[0:10], f"bytes 0-9/{len(CONTENT)}"),
        ("bytes=5-15", 206, CONTENT[5:16], f"bytes 5-15/{len(CONTENT)}"),
        ("bytes=4390-", 206, CONTENT[4390:], f"bytes 4390-4399/{len(CONTENT)}"),
        ("bytes=-3", 206, CONTENT[-3:], f"bytes 4397-4399/{len(CONTENT)}"),
        ("bytes=4000-999999", 206, CONTENT[4000:], f"bytes 4000-4399/{len(CONTENT)}"),
        ("bytes=0-1,5-6", 200, CONTENT, None),
        ("items=0-1", 200, CONTENT, None),
    ],
)
async def test_ranges(
    api: Api, header: str, status: int, expected: bytes, content_range: str | None
) -> None:
    await api.upload()
    got = await api.get(f"/files/{CONTENT_ID}", Range=header)
    assert got.status_code == status
    assert got.content == expected
    assert got.headers["content-length"] == str(len(expected))
    expected_range = [] if content_range is None else [content_range]
    assert got.headers.get_list("content-range") == expected_range
    assert got.headers["etag"] == f'"{CONTENT_ID}"'


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("bytes=999999-", "unsatisfiable range"),
        ("bytes=-0", "unsatisfiable range"),
        ("bytes=abc-", "invalid range"),
        ("bytes=5-2", "invalid range"),
        ("bytes", "invalid range"),
    ],
)
async def test_unsatisfiable_and_invalid_ranges(api: Api, header: str, message: str) -> None:
    await api.upload()
    got = await api.get(f"/files/{CONTENT_ID}", Range=header)
    assert error(got) == (416, "RANGE_NOT_SATISFIABLE", message)
    assert got.headers["content-range"] == f"bytes */{len(CONTENT)}"


async def test_head_ignores_range(api: Api) -> None:
    await api.upload()
    head = await api.client.head(
        f"/files/{CONTENT_ID}", headers={"X-API-Key": RD, "Range": "bytes=0-1"}
    )
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(CONTENT))


async def test_if_range(api: Api) -> None:
    await api.upload()
    last_modified = (await api.get(f"/files/{CONTENT_ID}")).headers["last-modified"]
    for validator in (f'"{CONTENT_ID}"', last_modified):
        kept = await api.get(f"/files/{CONTENT_ID}", Range="bytes=0-1", **{"If-Range": validator})
        assert kept.status_code == 206
    for stale in ('"other"', f'W/"{CONTENT_ID}"', "Mon, 01 Jan 1990 00:00:00 GMT"):
        whole = await api.get(f"/files/{CONTENT_ID}", Range="bytes=0-1", **{"If-Range": stale})
        assert whole.status_code == 200
        assert whole.content == CONTENT


async def test_conditional_requests(api: Api) -> None:
    await api.upload()
    path = f"/files/{CONTENT_ID}"
    last_modified = (await api.get(path)).headers["last-modified"]
    for headers in (
        {"If-None-Match": f'"{CONTENT_ID}"'},
        {"If-None-Match": f'W/"x", W/"{CONTENT_ID}"'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": last_modified},
    ):
        got = await api.get(path, Range="bytes=0-1", **headers)
        assert got.status_code == 304
        assert got.content == b""
        assert got.headers["etag"] == f'"{CONTENT_ID}"'
        assert "content-type" not in got.headers
        head = await api.client.head(path, headers={"X-API-Key": RD, **headers})
        assert head.status_code == 304
    for headers in (
        {"If-None-Match": '"other"'},
        {"If-None-Match": '"other"', "If-Modified-Since": last_modified},
        {"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"},
    ):
        assert (await api.get(path, **headers)).status_code == 200


async def test_a_legacy_sidecar_without_created_at(api: Api) -> None:
    await api.upload()
    Layout(api.root).meta(CONTENT_ID).write_text(f"sha256={CONTENT_ID}\ncontent_type=text/plain\n")
    info = json_object(await api.get(f"/files/{CONTENT_ID}/info"))
    assert info["created_at"] is None
    got = await api.get(f"/files/{CONTENT_ID}")
    assert "last-modified" not in got.headers


async def test_delete_is_idempotent(api: Api) -> None:
    await api.upload()
    path = f"/files/{CONTENT_ID}"
    for _ in range(2):
        deleted = await api.client.delete(path, headers={"X-API-Key": DEL})
        assert deleted.status_code == 204
        assert deleted.content == b""
    assert error(await api.get(path)) == (404, "NOT_FOUND", "file not found")
    assert error(await api.get(path + "/info")) == (404, "NOT_FOUND", "file not found")
    head = await api.client.head(path, headers={"X-API-Key": RD})
    assert head.status_code == 404


async def test_strict_delete(data_root: Path, redis_url: str) -> None:
    settings = make_settings(data_root, redis_url, delete_strict_404="true")
    async with app_client(build_app(settings)) as client:
        missing = await client.delete(f"/files/{CONTENT_ID}", headers={"X-API-Key": DEL})
        assert error(missing) == (404, "NOT_FOUND", "file not found")


@pytest.mark.parametrize(
    ("method", "path", "scope_key"),
    [
        ("GET", f"/files/{CONTENT_ID}", RD),
        ("HEAD", f"/files/{CONTENT_ID}", RD),
        ("GET", f"/files/{CONTENT_ID}/info", RD),
        ("DELETE", f"/files/{CONTENT_ID}", DEL),
        ("POST", "/admin/verify", DEL),
        ("GET", "/admin/verify/some-job", DEL),
    ],
)
async def test_auth_comes_first(api: Api, method: str, path: str, scope_key: str) -> None:
    missing = await api.client.request(method, path)
    assert missing.status_code == 401
    wrong = await api.client.request(method, path, headers={"X-API-Key": UP})
    assert wrong.status_code == 403
    blank = await api.client.request(method, path, headers={"X-API-Key": "  "})
    assert blank.status_code == 401
    if method != "HEAD":
        assert error(missing) == (401, "UNAUTHORIZED", "missing API key")
        assert error(wrong) == (403, "FORBIDDEN", "invalid API key for permission")
    del scope_key


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_a_bad_id_is_400_after_auth(api: Api, method: str) -> None:
    key = RD if method == "GET" else DEL
    for bad in ("abc", CONTENT_ID[:-1] + "g", CONTENT_ID + "0"):
        assert (await api.client.request(method, f"/files/{bad}")).status_code == 401
        refused = await api.client.request(method, f"/files/{bad}", headers={"X-API-Key": key})
        assert error(refused) == (400, "INVALID_INPUT", "invalid file_id")


async def test_upload_auth_before_the_body(api: Api) -> None:
    api.files.calls.clear()
    assert error(await api.upload(key=None)) == (401, "UNAUTHORIZED", "missing API key")
    wrong = await api.upload(key=RD)
    assert error(wrong) == (403, "FORBIDDEN", "invalid API key for permission")
    # Without a key, not even a bad body is looked at.
    not_form = await api.client.post("/files", content=b"{}")
    assert not_form.status_code == 401
    assert api.files.operations("create") == []


async def test_upload_body_rules(api: Api) -> None:
    headers = {"X-API-Key": UP}
    not_form = await api.client.post(
        "/files", content=b"{}", headers={**headers, "Content-Type": "application/json"}
    )
    status, code, _ = error(not_form)
    assert (status, code) == (415, "UNSUPPORTED_MEDIA_TYPE")
    no_boundary = await api.client.post(
        "/files", content=b"x", headers={**headers, "Content-Type": "multipart/form-data"}
    )
    status, code, _ = error(no_boundary)
    assert (status, code) == (400, "INVALID_INPUT")
    no_file = await api.client.post("/files", files={"other": ("o", b"x")}, headers=headers)
    assert error(no_file) == (400, "INVALID_INPUT", "missing file part")
    bad_length = await api.client.post(
        "/files",
        content=b"x",
        headers={
            **headers,
            "Content-Type": "multipart/form-data; boundary=b",
            "Content-Length": "x",
        },
    )
    assert bad_length.status_code == 400


async def test_declared_length_over_the_limit_is_413_before_reading(api: Api) -> None:
    api.files.calls.clear()
    big = b"x" * (MAX_FILE_BYTES + 70_000)
    refused = await api.upload(big)
    assert error(refused) == (413, "PAYLOAD_TOO_LARGE", "file too large")
    assert api.files.operations("create") == []


async def test_a_file_over_the_limit_is_cut_off(api: Api) -> None:
    big = b"x" * (MAX_FILE_BYTES + 1)  # within the multipart allowance
    refused = await api.upload(big)
    assert error(refused) == (413, "PAYLOAD_TOO_LARGE", "file too large")
    assert sorted((api.root / "tmp").iterdir()) == []


async def test_a_streamed_body_growing_past_the_limit(api: Api) -> None:
    boundary = "xyz"

    async def body() -> AsyncIterator[bytes]:
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="other"\r\n\r\n'.encode()
        for _ in range(40):
            yield b"y" * 10_000

    refused = await api.client.post(
        "/files",
        content=body(),
        headers={"X-API-Key": UP, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert refused.status_code == 413
    assert sorted((api.root / "tmp").iterdir()) == []


async def test_no_limit_when_max_file_bytes_is_0(data_root: Path, redis_url: str) -> None:
    settings = make_settings(data_root, redis_url, max_file_bytes="0")
    async with app_client(build_app(settings)) as client:
        big = b"z" * (MAX_FILE_BYTES * 2)
        created = await client.post("/files", files={"file": ("a", big)}, headers={"X-API-Key": UP})
        assert created.status_code == 201


async def test_low_free_space_is_507_before_writing(api: Api) -> None:
    api.free_space.free = GIB + 100
    api.files.calls.clear()
    refused = await api.upload()
    assert error(refused) == (507, "INSUFFICIENT_STORAGE", "insufficient free space")
    assert api.files.operations("create") == []


async def test_free_space_running_out_during_the_write(api: Api) -> None:
    api.free_space.script = [100 * GIB, GIB - 1]
    refused = await api.upload(b"q" * 100_000)
    assert error(refused) == (507, "INSUFFICIENT_STORAGE", "insufficient free space")
    assert sorted((api.root / "tmp").iterdir()) == []


async def test_a_full_disk_is_507_and_leaves_nothing(api: Api) -> None:
    api.files.fail("write", disk_full())
    refused = await api.upload()
    assert error(refused) == (507, "INSUFFICIENT_STORAGE", "insufficient free space")
    assert sorted((api.root / "tmp").iterdir()) == []
    assert (await api.get(f"/files/{CONTENT_ID}")).status_code == 404


async def test_io_errors_are_500(api: Api) -> None:
    api.files.fail("rename", io_error())
    assert error(await api.upload()) == (500, "INTERNAL_ERROR", "storage I/O error")


async def test_damaged_sidecars_are_500(api: Api) -> None:
    await api.upload()
    meta = Layout(api.root).meta(CONTENT_ID)
    meta.write_text("garbage")
    assert error(await api.get(f"/files/{CONTENT_ID}")) == (
        500,
        "INTERNAL_ERROR",
        "metadata incomplete",
    )
    meta.unlink()
    assert error(await api.get(f"/files/{CONTENT_ID}/info")) == (
        500,
        "INTERNAL_ERROR",
        "metadata missing",
    )


async def test_readiness(api: Api, redis_url: str, data_root: Path) -> None:
    async def readyz() -> tuple[int, object]:
        response = await api.client.get("/readyz")
        return response.status_code, json_object(response)["reason"]

    assert await readyz() == (503, "no-worker")
    async with (
        open_redis(redis_url) as redis,
        running(redis, "databank", scrub_worker_handlers(data_root)),
    ):
        queue = Queue(redis, "databank")

        async def worker_live() -> bool:
            return await queue.live_workers() > 0

        await wait_until(worker_live)
        assert await readyz() == (200, None)
        api.files.fail("create", io_error())
        assert await readyz() == (503, "storage not writable")
        api.free_space.free = GIB - 1
        assert await readyz() == (503, "low disk")
        api.free_space.free = 100 * GIB
        assert await readyz() == (200, None)
    assert (await api.client.get("/healthz")).status_code == 200


def scrub_worker_handlers(data_root: Path) -> list[Runnable]:
    engine = Engine(
        Layout(data_root), files=OS_FILES, free_space=statvfs_free_bytes, reserve_bytes=0
    )
    return [SCRUB.handler(scrub_handler(Scrubber(engine)))]


async def test_verify_finds_a_corrupted_blob(api: Api, redis_url: str) -> None:
    await api.upload()
    healthy = json_object(await api.upload(b"healthy"))["file_id"]
    blob = Layout(api.root).blob(CONTENT_ID)
    blob.write_bytes(b"X" + CONTENT[1:])
    started = await api.client.post("/admin/verify", headers={"X-API-Key": DEL})
    assert started.status_code == 202
    accepted = json_object(started)
    assert accepted["status"] == "queued"
    job_id = accepted["job_id"]
    assert isinstance(job_id, str)
    queued = json_object(await api.get(f"/admin/verify/{job_id}", key=DEL))
    assert queued["status"] == "queued"
    assert queued["report"] is None
    async with open_redis(redis_url) as redis:
        events = Events(redis, "databank")
        async with running(redis, "databank", scrub_worker_handlers(api.root)):
            await events.finished(job_id)
        assert events.of(job_id) == ["started", "progress", "progress", "completed"]
        completed = events.event(job_id, "completed")
        assert isinstance(completed, JobCompleted)
        assert completed.result_id == job_id
        assert completed.result_bytes == len(CONTENT) + len(b"healthy")
    status = json_object(await api.get(f"/admin/verify/{job_id}", key=DEL))
    assert status["status"] == "completed"
    assert status["progress"] == 100
    assert status["error"] is None
    report = status["report"]
    assert isinstance(report, dict)
    assert report["objects_checked"] == 2
    findings = report["findings"]
    assert isinstance(findings, list)
    assert len(findings) == 1
    finding = findings[0]
    assert isinstance(finding, dict)
    assert finding["file_id"] == CONTENT_ID
    assert finding["problem"] == "corrupt"
    assert healthy != CONTENT_ID


async def test_verify_of_unknown_jobs(api: Api, redis_url: str) -> None:
    missing = await api.get("/admin/verify/nope", key=DEL)
    assert error(missing) == (404, "JOB_NOT_FOUND", "job not found")
    async with open_redis(redis_url) as redis:
        other = await Queue(redis, "databank").enqueue(ECHO, Echo(text="hi"), user_id=1)
    not_a_scrub = await api.get(f"/admin/verify/{other.job_id}", key=DEL)
    assert error(not_a_scrub) == (404, "JOB_NOT_FOUND", "job not found")


async def test_a_failed_scrub_reports_its_error(api: Api, redis_url: str) -> None:
    await api.upload()
    started = json_object(await api.client.post("/admin/verify", headers={"X-API-Key": DEL}))
    job_id = started["job_id"]
    assert isinstance(job_id, str)
    failing = FaultyFiles()
    failing.fail("open_read", io_error())
    engine = Engine(Layout(api.root), files=failing, free_space=statvfs_free_bytes, reserve_bytes=0)
    async with open_redis(redis_url) as redis:
        events = Events(redis, "databank")
        async with running(redis, "databank", [SCRUB.handler(scrub_handler(Scrubber(engine)))]):
            await events.finished(job_id)
    status = json_object(await api.get(f"/admin/verify/{job_id}", key=DEL))
    assert status["status"] == "failed"
    assert status["report"] is None
    error_text = status["error"]
    assert isinstance(error_text, str)
    assert "open" in error_text


async def test_scrub_endpoints_answer_503_while_redis_is_down(
    api: Api, redis_server: RedisServer
) -> None:
    redis_server.stop()
    started = await api.client.post("/admin/verify", headers={"X-API-Key": DEL})
    status = await api.get("/admin/verify/some-job", key=DEL)
    for response in (started, status):
        code, kind, message = error(response)
        assert (code, kind) == (503, "SERVICE_UNAVAILABLE")
        assert message.startswith("job store unavailable: ")
    assert (await api.upload()).status_code == 201


async def test_openapi_documents_the_routes(api: Api) -> None:
    document = json_object(await api.client.get("/openapi.json"))
    paths = document["paths"]
    assert isinstance(paths, dict)
    assert {"/files", "/files/{file_id}", "/files/{file_id}/info", "/admin/verify"} <= set(paths)
    assert "/admin/verify/{job_id}" in paths
    upload = json_at(document, "paths", "/files", "post", "requestBody", "content")
    assert upload == {
        "multipart/form-data": {"schema": {"$ref": "#/components/schemas/UploadForm"}}
    }
    form = json_at(document, "components", "schemas", "UploadForm", "properties", "file")
    assert json_at(form, "format") == "binary"
    download = json_at(document, "paths", "/files/{file_id}", "get", "responses")
    assert isinstance(download, dict)
    assert sorted(download) == ["200", "206", "304", "401", "403", "default"]
    assert json_at(download, "206", "content") == {"*/*": {}}
    assert json_at(download, "401", "description") == "missing API key"
    assert json_at(download, "403", "description") == "invalid API key for permission"
    head = json_at(document, "paths", "/files/{file_id}", "head", "responses")
    assert isinstance(head, dict)
    assert sorted(head) == ["200", "304", "401", "403", "default"]
    assert json_at(document, "components", "securitySchemes") == {
        "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    }
    for path, method, scope in (
        ("/files", "post", "upload"),
        ("/files/{file_id}", "get", "read"),
        ("/files/{file_id}", "head", "read"),
        ("/files/{file_id}/info", "get", "read"),
        ("/files/{file_id}", "delete", "delete"),
        ("/admin/verify", "post", "delete"),
        ("/admin/verify/{job_id}", "get", "delete"),
    ):
        assert json_at(document, "paths", path, method, "security") == [{"ApiKey": [scope]}]


async def test_openapi_documents_downloads_of_any_media_type_and_the_id_pattern(
    api: Api,
) -> None:
    # A download is served with the stored part Content-Type (text/plain here), so the
    # document must not promise application/octet-stream only; and the id's form is given.
    assert (await api.upload()).status_code == 201
    served = await api.get(f"/files/{CONTENT_ID}")
    assert served.headers["content-type"] == "text/plain"
    document = json_object(await api.client.get("/openapi.json"))
    paths = document["paths"]
    assert isinstance(paths, dict)
    for path, method in (
        ("/files/{file_id}", "get"),
        ("/files/{file_id}", "head"),
        ("/files/{file_id}/info", "get"),
        ("/files/{file_id}", "delete"),
    ):
        item = paths[path]
        assert isinstance(item, dict)
        operation = item[method]
        assert isinstance(operation, dict)
        parameters = operation["parameters"]
        assert isinstance(parameters, list)
        [parameter] = parameters
        assert isinstance(parameter, dict)
        schema = parameter["schema"]
        assert isinstance(schema, dict)
        assert schema["pattern"] == "^[0-9a-fA-F]{64}$"
        if method in ("get", "head") and path == "/files/{file_id}":
            responses = operation["responses"]
            assert isinstance(responses, dict)
            success = responses["200"]
            assert isinstance(success, dict)
            content = success["content"]
            assert isinstance(content, dict)
            assert set(content) == {"*/*"}
