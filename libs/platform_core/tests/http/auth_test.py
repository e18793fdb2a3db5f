"""Route-level API keys: checked first (before path, query and body), compared over every
key, refused with the auth's own answers, documented in OpenAPI; `OpenAccess` is explicit."""

import hashlib
import hmac
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

import httpx
import pytest
from kit_example import LogLines, RawResponse, asgi_call
from pydantic import BaseModel, ConfigDict, Field, JsonValue
from starlette.applications import Starlette

from platform_core.config import ApiKeySettings, ServiceSettings, load_settings
from platform_core.errors import AppError, ErrorCode
from platform_core.http import (
    API_KEY_HEADER,
    UNAUTHORIZED,
    ApiKeys,
    Auth,
    BodyStream,
    Call,
    NoBody,
    NoQuery,
    OpenAccess,
    Refusal,
    api_key_auth,
    create_app,
    get,
    post,
    settings_only,
)
from platform_core.http_testing import app_client, json_at, json_object, lifespan

MISSING = Refusal(ErrorCode.UNAUTHORIZED, "missing API key")
WRONG = Refusal(ErrorCode.FORBIDDEN, "invalid API key for permission")
KEYS = ApiKeys({"upload": ["up-1", "up-2"], "read": ["rd"]}, missing=MISSING, wrong=WRONG)


class Doc(BaseModel):
    """A small JSON document."""

    model_config = ConfigDict(extra="forbid")

    text: str


class Name(BaseModel):
    """`/docs/{name}`: lower-case letters."""

    name: str = Field(pattern="^[a-z]+$")


class Limit(BaseModel):
    """A query parameter."""

    limit: int = 10


@dataclass
class Seen:
    """What the handlers were reached with."""

    calls: list[str] = field(default_factory=list)


async def store(call: Call[Seen, Doc, NoQuery, Name]) -> Doc:
    """Store a document."""
    call.ctx.calls.append(f"store {call.path.name}")
    return call.body


async def read(call: Call[Seen, NoBody, Limit, Name]) -> Doc:
    """Read a document."""
    call.ctx.calls.append(f"read {call.path.name}")
    return Doc(text=call.path.name)


async def store_blob(call: Call[Seen, BodyStream]) -> Doc:
    """Store a streamed body."""
    size = sum([len(chunk) async for chunk in call.body])
    call.ctx.calls.append(f"blob {size}")
    return Doc(text=str(size))


async def hello(call: Call[Seen]) -> Doc:
    """An open route."""
    return Doc(text="hello")


def build(seen: Seen, auth: Auth | None = KEYS) -> Starlette:
    """An app with protected JSON, query, stream and open routes."""
    return create_app(
        service="keys-api",
        settings=seen,
        resources=settings_only,
        routes=[
            post("/docs/{name}")
            .requires("upload")
            .path(Name)
            .body(Doc, max_bytes=32)
            .returns(Doc)
            .to(store),
            get("/docs/{name}").requires("read").path(Name).query(Limit).returns(Doc).to(read),
            post("/blobs").requires("upload").stream().returns(Doc).to(store_blob),
            get("/hello").returns(Doc).to(hello),
        ],
        auth=auth,
    )


@pytest.fixture()
def seen() -> Seen:
    """What the handlers saw in this test."""
    return Seen()


@pytest.fixture()
async def client(seen: Seen) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client of the started app."""
    async with app_client(build(seen)) as started:
        yield started


def envelope(response: httpx.Response) -> tuple[int, str, str]:
    """Status, code and message of an error response."""
    body = json_object(response)
    code, message = body["code"], body["message"]
    assert isinstance(code, str)
    assert isinstance(message, str)
    return response.status_code, code, message


def doc(text: str) -> JsonValue:
    """A document as a JSON body (httpx's `json=` is untyped)."""
    return {"text": text}


def key(value: str) -> dict[str, str]:
    """The key header."""
    return {API_KEY_HEADER: value}


# --- the check and its answers ------------------------------------------------------


async def test_each_scope_opens_with_its_own_keys(client: httpx.AsyncClient, seen: Seen) -> None:
    for upload_key in ("up-1", "up-2"):
        stored = await client.post("/docs/a", json=doc("x"), headers=key(upload_key))
        assert stored.status_code == 200
    assert (await client.get("/docs/a", headers=key("rd"))).status_code == 200
    assert envelope(await client.get("/docs/a", headers=key("up-1"))) == (
        403,
        "FORBIDDEN",
        "invalid API key for permission",
    )
    assert seen.calls == ["store a", "store a", "read a"]


@pytest.mark.parametrize("sent", [None, "", "   "])
async def test_an_absent_or_blank_key_is_the_missing_answer(
    client: httpx.AsyncClient, seen: Seen, sent: str | None
) -> None:
    headers = {} if sent is None else key(sent)
    refused = await client.get("/docs/a", headers=headers)
    assert envelope(refused) == (401, "UNAUTHORIZED", "missing API key")
    assert refused.headers["x-request-id"]
    assert seen.calls == []


async def test_keys_compare_exactly(client: httpx.AsyncClient) -> None:
    for near in ["RD", "rd ", "r", "rdx", "up-1"]:
        assert (await client.get("/docs/a", headers=key(near))).status_code == 403


async def test_the_key_comes_before_path_query_and_body(
    client: httpx.AsyncClient, seen: Seen
) -> None:
    bad_path = await client.get("/docs/NOT-OK?limit=x", headers=key("wrong"))
    assert envelope(bad_path)[0] == 403
    not_json = await client.post("/docs/NOT-OK", content=b"<", headers={"content-type": "text/x"})
    assert envelope(not_json)[0] == 401
    too_big = await client.post("/docs/a", json=doc("x" * 100))
    assert envelope(too_big)[0] == 401
    # With the right key, the same requests reach the parsers.
    assert envelope(await client.get("/docs/NOT-OK", headers=key("rd")))[0] == 400
    assert envelope(await client.get("/docs/a?limit=x", headers=key("rd")))[0] == 400
    big = await client.post("/docs/a", json=doc("x" * 100), headers=key("up-1"))
    assert envelope(big)[0] == 413
    assert seen.calls == []


async def test_head_of_a_protected_get_is_protected(client: httpx.AsyncClient) -> None:
    assert (await client.head("/docs/a")).status_code == 401
    assert (await client.head("/docs/a", headers=key("rd"))).status_code == 200


async def test_open_and_kit_routes_need_no_key(client: httpx.AsyncClient) -> None:
    for path in ("/hello", "/healthz", "/readyz", "/openapi.json"):
        assert (await client.get(path)).status_code == 200


async def test_the_default_answer_is_the_originals_401_unauthorized(seen: Seen) -> None:
    async with app_client(build(seen, ApiKeys({"upload": ["k"], "read": ["k"]}))) as client:
        missing = await client.get("/docs/a")
        wrong = await client.get("/docs/a", headers=key("nope"))
    assert envelope(missing) == envelope(wrong) == (401, "UNAUTHORIZED", "Unauthorized")
    assert Refusal(ErrorCode.UNAUTHORIZED, "Unauthorized") == UNAUTHORIZED


# --- not a byte of the body before the check ----------------------------------------


async def exchange(app: Starlette, headers: Mapping[str, str], body: bytes) -> RawResponse:
    """POST /blobs straight to the started app: `body` in one chunk, then the end."""
    async with lifespan(app):
        return await asgi_call(app, "POST", "/blobs", headers=headers, chunks=[body])


async def test_a_refused_request_never_reads_a_large_body(seen: Seen) -> None:
    app = build(seen)
    for headers in ({}, key("rd")):
        refused = await exchange(app, {"content-length": str(10**9), **headers}, b"x")
        assert (refused.status, refused.received) == (401 if not headers else 403, 0)
    chunked = await exchange(app, {"transfer-encoding": "chunked"}, b"x")
    assert (chunked.status, chunked.received) == (401, 0)
    assert seen.calls == []


async def test_a_refused_small_body_is_drained_before_the_answer(seen: Seen) -> None:
    # So that the server does not close a connection with unread data (a reset can
    # make the client lose the 401); still nothing reaches the handler.
    refused = await exchange(build(seen), {"content-length": "5"}, b"12345")
    assert (refused.status, refused.received) == (401, 2)
    assert b"missing API key" in refused.body
    assert seen.calls == []


async def test_an_accepted_request_reads_its_body(seen: Seen) -> None:
    accepted = await exchange(build(seen), {"content-length": "5", **key("up-2")}, b"12345")
    assert (accepted.status, accepted.received) == (200, 2)
    assert seen.calls == ["blob 5"]


# --- constant time: every key is compared -------------------------------------------


def digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


@pytest.mark.parametrize("presented", ["a", "b", "c", "not-a-key"])
def test_the_comparison_covers_every_key_of_the_scope(presented: str) -> None:
    compared: list[tuple[bytes, bytes]] = []

    def recording(left: bytes, right: bytes) -> bool:
        compared.append((left, right))
        return hmac.compare_digest(left, right)

    keys = ApiKeys({"s": ["a", "b", "c"], "other": ["d"]}, compare=recording)
    if presented == "not-a-key":
        with pytest.raises(AppError, match="Unauthorized"):
            keys.check("s", presented)
    else:
        keys.check("s", presented)
    # Whichever key matched (or none), each of the scope's keys was compared once, as a
    # SHA-256 digest of equal length: the time does not tell which one, or how much.
    assert compared == [(digest(presented), digest(k)) for k in ("a", "b", "c")]


def test_keys_outside_utf8_are_compared_too() -> None:
    keys = ApiKeys({"s": ["\udcff"]})
    keys.check("s", "\udcff")
    with pytest.raises(AppError):
        keys.check("s", "\udcfe")


# --- declarations that cannot work --------------------------------------------------


def test_every_scope_needs_keys_and_no_key_is_blank() -> None:
    with pytest.raises(ValueError, match="ApiKeys needs at least one scope"):
        ApiKeys({})
    with pytest.raises(ValueError, match="the read scope needs at least one API key"):
        ApiKeys({"upload": ["k"], "read": []})
    with pytest.raises(ValueError, match="the delete scope has an empty API key"):
        ApiKeys({"delete": ["ok", " "]})
    assert KEYS.scopes == frozenset({"upload", "read"})


def test_a_route_needs_a_scope_name_and_a_scope_with_keys(seen: Seen) -> None:
    with pytest.raises(ValueError, match=r"GET /x: requires\(\) needs a scope name"):
        get("/x").requires("")
    with pytest.raises(ValueError, match="no API keys are configured for the 'read' scope"):
        build(seen, ApiKeys({"upload": ["k"]}))
    with pytest.raises(ValueError, match="requires the 'upload' scope, but create_app was given"):
        build(seen, None)


# --- OpenAccess: the explicit choice to check nothing -------------------------------


async def test_open_access_lets_everyone_in_and_says_so(seen: Seen, logs: LogLines) -> None:
    app = build(seen, OpenAccess("SECURITY__API_KEY_ENABLED=false"))
    async with app_client(app) as client:
        assert (await client.get("/docs/a")).status_code == 200
        assert (await client.post("/blobs", content=b"abc")).status_code == 200
        spec = json_object(await client.get("/openapi.json"))
    assert seen.calls == ["read a", "blob 3"]
    [warning] = [line for line in logs.named("platform_core.http") if line["level"] == "WARNING"]
    assert warning["message"] == (
        "API keys are not checked (SECURITY__API_KEY_ENABLED=false): 3 protected route(s) are open"
    )
    assert warning["open_routes"] == "POST /docs/{name}, GET /docs/{name}, POST /blobs"
    assert "securitySchemes" not in obj(json_at(spec, "components"))
    assert "security" not in obj(json_at(spec, "paths", "/blobs", "post"))


def obj(value: JsonValue) -> dict[str, JsonValue]:
    """`value`, which must be a JSON object."""
    assert isinstance(value, dict)
    return value


async def test_keys_are_not_mentioned_at_startup(seen: Seen, logs: LogLines) -> None:
    async with app_client(build(seen)):
        pass
    assert [line for line in logs.named("platform_core.http") if line["level"] == "WARNING"] == []


# --- OpenAPI --------------------------------------------------------------------------


async def test_the_document_declares_the_scheme_and_each_routes_scope(seen: Seen) -> None:
    async with app_client(build(seen)) as client:
        spec = json_object(await client.get("/openapi.json"))
    assert json_at(spec, "components", "securitySchemes") == {
        "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    }
    assert json_at(spec, "paths", "/docs/{name}", "post", "security") == [{"ApiKey": ["upload"]}]
    assert json_at(spec, "paths", "/docs/{name}", "get", "security") == [{"ApiKey": ["read"]}]
    responses = obj(json_at(spec, "paths", "/blobs", "post", "responses"))
    assert list(responses) == ["200", "401", "403", "default"]
    assert json_at(responses, "401", "description") == "missing API key"
    assert json_at(responses, "403", "description") == "invalid API key for permission"
    assert "security" not in obj(json_at(spec, "paths", "/hello", "get"))
    assert "security" not in obj(json_at(spec, "paths", "/healthz", "get"))


async def test_one_status_for_both_refusals_is_documented_once(seen: Seen) -> None:
    same = ApiKeys({"upload": ["k"], "read": ["k"]})
    async with app_client(build(seen, same)) as client:
        spec = json_object(await client.get("/openapi.json"))
    responses = obj(json_at(spec, "paths", "/blobs", "post", "responses"))
    assert list(responses) == ["200", "401", "default"]
    assert json_at(responses, "401", "description") == "Unauthorized"
    split = ApiKeys({"upload": ["k"], "read": ["k"]}, missing=MISSING)
    async with app_client(build(seen, split)) as client:
        spec = json_object(await client.get("/openapi.json"))
    described = json_at(spec, "paths", "/blobs", "post", "responses", "401", "description")
    assert described == "missing API key / Unauthorized"


# --- keys from settings ---------------------------------------------------------------


class TrainerSettings(ServiceSettings, ApiKeySettings):
    """A service that names its variables as the original did."""

    api_key: str | None = Field(default=None, alias="SECURITY__API_KEY")
    api_key_enabled: bool = Field(default=True, alias="SECURITY__API_KEY_ENABLED")


async def test_one_key_from_settings_opens_every_scope(seen: Seen) -> None:
    settings = load_settings(TrainerSettings, {"SECURITY__API_KEY": "s3cret"})
    auth = api_key_auth(settings, "upload", "read")
    assert isinstance(auth, ApiKeys)
    assert auth.scopes == frozenset({"upload", "read"})
    async with app_client(build(seen, auth)) as client:
        assert (await client.get("/docs/a", headers=key("s3cret"))).status_code == 200
        missing = await client.get("/docs/a")
        wrong = await client.get("/docs/a", headers=key("S3CRET"))
    assert envelope(missing) == envelope(wrong) == (401, "UNAUTHORIZED", "Unauthorized")
    default = api_key_auth(settings)
    assert isinstance(default, ApiKeys)
    assert default.scopes == frozenset({"api"})


def test_a_switched_off_key_is_open_access_naming_the_switch() -> None:
    settings = load_settings(TrainerSettings, {"SECURITY__API_KEY_ENABLED": "false"})
    assert api_key_auth(settings) == OpenAccess("SECURITY__API_KEY_ENABLED=false")
