"""The example app in-process: routes, typed parsing, the envelope for every error class."""

import asyncio
import hashlib
import re
import uuid
from collections.abc import AsyncIterator, Awaitable

import httpx
import pytest
from kit_example import Ctx, ItemList, LogLines, asgi_call
from pydantic import JsonValue
from starlette.applications import Starlette
from starlette.requests import Request

from platform_core.http.error_handling import http_exception_handler
from platform_core.http.middleware import new_request_id
from platform_core.http_testing import LifespanError, app_client, json_object

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture()
async def client(example: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client of the started example."""
    async with app_client(example) as started:
        yield started


def js(value: JsonValue) -> JsonValue:
    """A JSON body for httpx's untyped `json=` argument."""
    return value


async def names(call: Awaitable[httpx.Response]) -> list[str]:
    """The item names in a list response."""
    response = await call
    assert response.status_code == 200
    return [item.name for item in ItemList.model_validate_json(response.content).items]


def assert_envelope(response: httpx.Response, status: int, code: str, message: str) -> None:
    """`response` is the error envelope with this status, code and message."""
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    request_id = response.headers["x-request-id"]
    assert json_object(response) == {"code": code, "message": message, "request_id": request_id}


async def test_create_and_read(client: httpx.AsyncClient) -> None:
    created = await client.post("/items", json=js({"name": "pen", "tags": ["office"]}))
    assert created.status_code == 201
    assert json_object(created) == {"id": "1", "name": "pen", "qty": 1, "tags": ["office"]}
    assert created.headers["content-type"] == "application/json"
    read = await client.get("/items/1")
    assert read.status_code == 200
    assert json_object(read) == json_object(created)


async def test_lifecycle_opens_and_closes_resources(example: Starlette, ctx: Ctx) -> None:
    async with app_client(example) as client:
        assert ctx.events == ["opened for hello"]
        assert json_object(await client.get("/echo"))["greeting"] == "hello"
    assert ctx.events == ["opened for hello", "closed"]


async def test_query_parameters(client: httpx.AsyncClient) -> None:
    catalogue: list[tuple[str, list[JsonValue]]] = [
        ("apple", ["fruit"]),
        ("avocado", ["fruit", "green"]),
        ("bean", ["green"]),
    ]
    for name, tags in catalogue:
        await client.post("/items", json=js({"name": name, "tags": tags}))
    assert await names(client.get("/items", params={"limit": "2"})) == ["apple", "avocado"]
    assert await names(client.get("/items", params={"tag": "green"})) == ["avocado", "bean"]
    assert await names(client.get("/items?tag=fruit&tag=green&prefix=b")) == ["bean"]
    assert await names(client.get("/items?unknown=1")) == ["apple", "avocado", "bean"]


async def test_query_validation(client: httpx.AsyncClient) -> None:
    assert_envelope(
        await client.get("/items?limit=0"),
        400,
        "INVALID_INPUT",
        "query.limit: Input should be greater than or equal to 1",
    )
    assert_envelope(
        await client.get("/items?limit=x&limit=2"),
        400,
        "INVALID_INPUT",
        "query.limit: given more than once",
    )


async def test_path_parameters(client: httpx.AsyncClient) -> None:
    assert_envelope(
        await client.get("/items/UPPER"),
        400,
        "INVALID_INPUT",
        "path.item_id: String should match pattern '^[a-z0-9-]{1,12}$'",
    )
    assert json_object(await client.get("/numbers/21")) == {"n": 42}
    assert_envelope(await client.get("/numbers/x"), 404, "NOT_FOUND", "no route for /numbers/x")


async def test_an_int_path_parameter_too_long_for_int_is_a_400(
    example: Starlette, client: httpx.AsyncClient
) -> None:
    # Starlette's `{n:int}` convertor calls int() while routing, which refuses more than
    # 4300 digits with ValueError: that was a 500 for a client's mistake.
    assert_envelope(
        await client.get("/numbers/" + "9" * 5000),
        400,
        "INVALID_INPUT",
        "path.n: Unable to parse input string as an integer, exceeded maximum size",
    )
    assert json_object(await client.get("/numbers/21")) == {"n": 42}
    assert example.url_path_for("number", n=21) == "/numbers/21"


async def test_body_validation_names_each_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/items", json=js({"name": "", "qty": 0, "tags": ["a", 3], "x": 1})
    )
    assert_envelope(
        response,
        400,
        "INVALID_INPUT",
        "body.name: String should have at least 1 character; "
        "body.qty: Input should be greater than or equal to 1; "
        "body.tags[1]: Input should be a valid string; "
        "body.x: Extra inputs are not permitted",
    )
    assert_envelope(
        await client.post("/items", json=js({})), 400, "INVALID_INPUT", "body.name: Field required"
    )


async def test_json_types_are_strict_unless_the_route_says_lax(client: httpx.AsyncClient) -> None:
    assert_envelope(
        await client.post("/items", json=js({"name": "a", "qty": "2"})),
        400,
        "INVALID_INPUT",
        "body.qty: Input should be a valid integer",
    )
    assert_envelope(
        await client.post("/items", json=js({"name": "a", "qty": True})),
        400,
        "INVALID_INPUT",
        "body.qty: Input should be a valid integer",
    )
    assert json_object(await client.post("/lax", json=js({"n": "2"}))) == {"n": 2}


async def test_malformed_json(client: httpx.AsyncClient) -> None:
    headers = {"content-type": "application/json"}
    assert_envelope(
        await client.post("/items", content=b'{"name": ', headers=headers),
        400,
        "INVALID_JSON",
        "malformed JSON body: EOF while parsing a value at line 1 column 9",
    )
    assert_envelope(
        await client.post("/items", content=b"\xff\xfe{}", headers=headers),
        400,
        "INVALID_JSON",
        "malformed JSON body: expected value at line 1 column 1",
    )
    assert_envelope(
        await client.post("/items", content=b"", headers=headers),
        400,
        "INVALID_JSON",
        "request body is empty (expected a JSON object)",
    )


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"3", b"null"])
async def test_body_must_be_an_object(client: httpx.AsyncClient, body: bytes) -> None:
    assert_envelope(
        await client.post("/items", content=body, headers={"content-type": "application/json"}),
        400,
        "INVALID_INPUT",
        "request body must be a JSON object",
    )


async def test_content_type(example: Starlette, client: httpx.AsyncClient) -> None:
    body = b'{"name": "a"}'
    assert_envelope(
        await client.post("/items", content=body, headers={"content-type": "text/plain"}),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "expected Content-Type application/json, got text/plain",
    )
    assert_envelope(
        await client.post("/items", content=body, headers={"content-type": ""}),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "expected Content-Type application/json, got an empty value",
    )
    for accepted in ["application/json; charset=utf-8", "Application/JSON", "application/x+json"]:
        response = await client.post("/items", content=body, headers={"content-type": accepted})
        assert response.status_code == 201
    no_type = await asgi_call(example, "POST", "/items", chunks=[body])
    assert no_type.status == 201


async def test_body_limit(example: Starlette, client: httpx.AsyncClient) -> None:
    big = b'{"n": 1' + b" " * 40 + b"}"
    assert_envelope(
        await client.post("/lax", content=big, headers={"content-type": "application/json"}),
        413,
        "PAYLOAD_TOO_LARGE",
        "request body is larger than 32 bytes",
    )
    chunked = await asgi_call(example, "POST", "/lax", chunks=[b'{"n": 1', b" " * 40, b"}"])
    assert chunked.status == 413
    assert b"larger than 32 bytes" in chunked.body
    exact = await asgi_call(example, "POST", "/lax", chunks=[b'{"n":1', b" " * 25, b"}"])
    assert exact.status == 200


@pytest.mark.parametrize(
    "value",
    [b"ten", b"\xb2", b"-1", b"+8", b" 8", b"1" * 21, b"9" * 5000],
    ids=["word", "superscript-two", "negative", "plus", "space", "21-digits", "5000-digits"],
)
async def test_malformed_content_length(
    example: Starlette, client: httpx.AsyncClient, value: bytes
) -> None:
    response = await asgi_call(
        example, "POST", "/lax", raw_headers=[(b"content-length", value)], chunks=[b'{"n": 1}']
    )
    assert response.status == 400
    assert b"invalid Content-Length header" in response.body


async def test_streamed_upload(client: httpx.AsyncClient) -> None:
    payload = b"0123456789" * 6
    response = await client.post(
        "/upload",
        content=payload,
        headers={"x-api-key": "key", "content-type": "Application/Octet-Stream; x=1"},
    )
    assert response.status_code == 200
    assert json_object(response) == {
        "size": 60,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "media_type": "application/octet-stream",
        "content_type": "Application/Octet-Stream; x=1",
        "content_length": 60,
    }


async def test_stream_credentials_before_size(client: httpx.AsyncClient) -> None:
    too_big = b"x" * 65
    assert_envelope(
        await client.post("/upload", content=too_big),
        401,
        "UNAUTHORIZED",
        "missing API key",
    )
    assert_envelope(
        await client.post("/upload", content=too_big, headers={"x-api-key": "key"}),
        413,
        "PAYLOAD_TOO_LARGE",
        "request body is larger than 64 bytes",
    )


async def test_stream_cut_off_mid_way(example: Starlette, client: httpx.AsyncClient) -> None:
    response = await asgi_call(
        example, "POST", "/upload", headers={"x-api-key": "key"}, chunks=[b"a" * 40, b"b" * 40]
    )
    assert response.status == 413
    fits = await asgi_call(
        example, "POST", "/upload", headers={"x-api-key": "key"}, chunks=[b"a" * 32, b"", b"b" * 32]
    )
    assert fits.status == 200
    assert b'"size":64' in fits.body
    assert b'"content_length":null' in fits.body


async def test_app_error_in_a_validator_reaches_the_client(client: httpx.AsyncClient) -> None:
    assert_envelope(
        await client.post("/legacy", json=js({"url": " "})),
        400,
        "INVALID_INPUT",
        "Field 'url' is required",
    )
    assert (await client.post("/legacy", json=js({"url": "x"}))).status_code == 200


async def test_app_errors(client: httpx.AsyncClient, logs: LogLines) -> None:
    assert_envelope(await client.get("/items/nope"), 404, "NOT_FOUND", "item not found")
    assert_envelope(await client.delete("/items/locked"), 423, "ITEM_LOCKED", "item is locked")
    assert_envelope(
        await client.get("/upstream"), 502, "EXTERNAL_SERVICE_ERROR", "upstream is down"
    )
    lines = logs.named("platform_core.http")
    refused = [line for line in lines if line["message"] == "request refused: item not found"]
    assert refused[0]["level"] == "INFO"
    assert (refused[0]["code"], refused[0]["status"], refused[0]["path"]) == (
        "NOT_FOUND",
        404,
        "/items/nope",
    )
    [failed] = [line for line in lines if line["level"] == "ERROR"]
    assert failed["message"] == "request failed: upstream is down"
    assert isinstance(failed["exc_info"], str)
    assert "AppError" in failed["exc_info"]


async def test_unhandled_exception(client: httpx.AsyncClient, logs: LogLines) -> None:
    response = await client.get("/boom", headers={"x-request-id": "trace-500"})
    assert_envelope(response, 500, "INTERNAL_ERROR", "Internal server error")
    assert response.headers["x-request-id"] == "trace-500"
    assert "secret detail" not in response.text
    [line] = [line for line in logs.named("platform_core.http") if line["level"] == "ERROR"]
    assert line["message"] == "unhandled exception"
    assert line["request_id"] == "trace-500"
    assert line["error_type"] == "RuntimeError"
    assert isinstance(line["exc_info"], str)
    assert "RuntimeError: secret detail of the bug" in line["exc_info"]


async def test_unknown_route_and_wrong_method(client: httpx.AsyncClient) -> None:
    assert_envelope(await client.get("/missing"), 404, "NOT_FOUND", "no route for /missing")
    wrong = await client.put("/items/1")
    assert_envelope(wrong, 405, "METHOD_NOT_ALLOWED", "method PUT is not allowed for /items/1")
    assert set(wrong.headers["allow"].split(", ")) == {"GET", "HEAD", "DELETE"}


async def test_explicit_head_route_wins_over_get(client: httpx.AsyncClient) -> None:
    await client.post("/items", json=js({"name": "cup"}))
    found = await client.head("/items/1")
    assert (found.status_code, found.headers["x-item-name"], found.content) == (200, "cup", b"")
    assert (await client.head("/items/2")).status_code == 404
    assert (await client.head("/image")).status_code == 200


async def test_delete_is_empty(client: httpx.AsyncClient) -> None:
    await client.post("/items", json=js({"name": "cup"}))
    deleted = await client.delete("/items/1")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert (await client.delete("/items/1")).status_code == 204
    assert (await client.get("/items/1")).status_code == 404


async def test_reply_sets_status_and_headers(client: httpx.AsyncClient) -> None:
    await client.post("/items", json=js({"name": "cup"}))
    tagged = await client.get("/tagged/1")
    assert (tagged.status_code, tagged.headers["etag"]) == (203, '"1"')
    assert json_object(tagged)["name"] == "cup"


async def test_raw_response(client: httpx.AsyncClient) -> None:
    response = await client.get("/image")
    assert (response.headers["content-type"], response.content) == (
        "image/png",
        b"\x89PNG\r\n\x1a\n",
    )


async def test_request_ids(client: httpx.AsyncClient) -> None:
    fresh = await client.get("/echo")
    request_id = fresh.headers["x-request-id"]
    assert UUID4.match(request_id)
    assert json_object(fresh) == {"request_id": request_id, "header": None, "greeting": "hello"}
    sent = await client.get("/echo", headers={"X-Request-ID": "abc.DEF_1:2+3/4=-"})
    assert sent.headers["x-request-id"] == "abc.DEF_1:2+3/4=-"
    assert json_object(sent)["request_id"] == "abc.DEF_1:2+3/4=-"
    longest = "a" * 128
    assert (
        json_object(await client.get("/echo", headers={"x-request-id": longest}))["request_id"]
        == longest
    )
    assert uuid.UUID(request_id).version == 4


def test_fresh_request_ids_are_uuid4s() -> None:
    ids = [new_request_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for each in ids:
        parsed = uuid.UUID(each)
        assert (str(parsed), parsed.version, parsed.variant) == (each, 4, uuid.RFC_4122)


@pytest.mark.parametrize("bad", ["", "a" * 129, "has space", "semi;colon", "ünï"])
async def test_invalid_request_ids_are_refused(example: Starlette, bad: str) -> None:
    response = await asgi_call(example, "GET", "/echo", headers={"x-request-id": bad})
    assert response.status == 400
    assert UUID4.match(response.headers["x-request-id"])
    assert b"invalid X-Request-ID header" in response.body
    assert response.headers["x-request-id"].encode() in response.body


async def test_two_request_ids_are_refused(example: Starlette) -> None:
    response = await asgi_call(
        example, "GET", "/echo", raw_headers=[(b"x-request-id", b"one"), (b"x-request-id", b"two")]
    )
    assert response.status == 400
    assert response.headers["x-request-id"] not in {"one", "two"}


async def test_every_error_class_carries_the_request_id(client: httpx.AsyncClient) -> None:
    calls = [
        client.get("/missing", headers={"x-request-id": "r1"}),
        client.put("/items/1", headers={"x-request-id": "r2"}),
        client.post("/items", json=js({}), headers={"x-request-id": "r3"}),
        client.post(
            "/upload", content=b"x" * 100, headers={"x-request-id": "r4", "x-api-key": "key"}
        ),
        client.get("/boom", headers={"x-request-id": "r5"}),
        client.get("/items/9", headers={"x-request-id": "r6"}),
    ]
    for number, call in enumerate(calls, start=1):
        response = await call
        assert response.headers["x-request-id"] == f"r{number}"
        assert json_object(response)["request_id"] == f"r{number}"


async def test_access_log_line(client: httpx.AsyncClient, logs: LogLines) -> None:
    await client.get("/echo", headers={"x-request-id": "log-1"})
    await client.get("/missing", headers={"x-request-id": "log-2"})
    first, second = logs.named("platform_core.access")
    latency = first.pop("latency_ms")
    first.pop("timestamp")
    assert isinstance(latency, float)
    assert latency >= 0
    assert first == {
        "level": "INFO",
        "logger": "platform_core.access",
        "message": "request",
        "service": "example-api",
        "instance": "test-1",
        "request_id": "log-1",
        "method": "GET",
        "path": "/echo",
        "status": 200,
    }
    assert (second["status"], second["request_id"]) == (404, "log-2")


async def test_health_routes(client: httpx.AsyncClient, ctx: Ctx) -> None:
    assert json_object(await client.get("/healthz")) == {"status": "ok"}
    assert json_object(await client.get("/readyz")) == {"status": "ready", "reason": None}
    ctx.not_ready = "store offline"
    degraded = await client.get("/readyz")
    assert degraded.status_code == 503
    assert json_object(degraded) == {"status": "degraded", "reason": "store offline"}
    assert (await client.get("/healthz")).status_code == 200


async def test_requests_before_startup_are_500(example: Starlette, logs: LogLines) -> None:
    async with app_client(example, run_lifespan=False) as client:
        assert_envelope(await client.get("/echo"), 500, "INTERNAL_ERROR", "Internal server error")
        assert (await client.get("/readyz")).status_code == 500
    errors = [line for line in logs.named("platform_core.http") if line["level"] == "ERROR"]
    assert [line["error_type"] for line in errors] == ["NotStartedError", "NotStartedError"]


async def test_startup_failure(ctx: Ctx, example: Starlette, logs: LogLines) -> None:
    ctx.fail_open = True
    with pytest.raises(LifespanError, match=r"(?s)startup failed: .*cannot reach the store"):
        async with app_client(example):
            pytest.fail("started")
    [line] = [line for line in logs.named("platform_core.http") if line["level"] == "ERROR"]
    assert line["message"] == "service startup failed"


async def test_shutdown_failure(ctx: Ctx, example: Starlette, logs: LogLines) -> None:
    ctx.fail_close = True
    with pytest.raises(LifespanError, match=r"(?s)shutdown failed: .*store close failed"):
        async with app_client(example):
            pass
    assert ctx.events == ["opened for hello", "closed"]
    [line] = [line for line in logs.named("platform_core.http") if line["level"] == "ERROR"]
    assert line["message"] == "service shutdown failed"


async def test_errors_after_the_response_started_propagate(client: httpx.AsyncClient) -> None:
    with pytest.raises(RuntimeError, match="stream broke"):
        await client.get("/broken-stream")
    with pytest.raises(Exception, match="too late"):
        await client.get("/late-error")


async def test_client_gone_before_the_body_was_read(example: Starlette, logs: LogLines) -> None:
    async with app_client(example):
        response = await asgi_call(
            example,
            "POST",
            "/upload",
            headers={"x-api-key": "key"},
            chunks=[b"abc"],
            disconnect=True,
        )
    assert response.status == 0
    [gone] = [
        line
        for line in logs.named("platform_core.http")
        if line["message"] == "client disconnected"
    ]
    assert gone["path"] == "/upload"
    [access] = logs.named("platform_core.access")
    assert access["status"] is None


async def test_stream_without_limit(example: Starlette, client: httpx.AsyncClient) -> None:
    payload = bytes(range(256)) * 64
    echoed = await client.put("/raw-echo", content=payload)
    assert (echoed.status_code, echoed.content) == (200, payload)
    chunked = await asgi_call(example, "PUT", "/raw-echo", chunks=[b"a", b"", b"b"])
    assert chunked.body == b"ab"


async def test_starlette_http_exceptions_get_the_envelope(client: httpx.AsyncClient) -> None:
    assert_envelope(await client.patch("/teapot"), 418, "INVALID_INPUT", "short and stout")


async def test_the_http_exception_handler_only_takes_http_exceptions(example: Starlette) -> None:
    no_headers: list[tuple[bytes, bytes]] = []
    scope: dict[str, object] = {"type": "http", "method": "GET", "path": "/", "headers": no_headers}
    request = Request(scope)
    with pytest.raises(TypeError, match="http_exception_handler got KeyError"):
        await http_exception_handler(request, KeyError("x"))


async def test_a_request_cancelled_mid_response_is_not_answered_twice(
    example: Starlette, ctx: Ctx
) -> None:
    async with app_client(example):
        call = asyncio.create_task(asgi_call(example, "GET", "/slow-stream"))
        async with asyncio.timeout(30):
            await ctx.entered.wait()
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
