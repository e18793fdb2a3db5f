"""The kit's example service (every path through the kit) and helpers to call it."""

import asyncio
import hashlib
import io
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import Response, StreamingResponse

from platform_core.config import Port, ServiceSettings
from platform_core.errors import AppError, ErrorCode
from platform_core.health import NotReadyError, ReadinessCheck
from platform_core.http import (
    ApiKeys,
    BodyStream,
    Call,
    NoBody,
    NoQuery,
    Refusal,
    Reply,
    Route,
    create_app,
    delete,
    get,
    head,
    patch,
    post,
    put,
)
from platform_core.logging import LoggingHandle, configure_logging

logger = logging.getLogger("kit_example")


class ExampleCode(StrEnum):
    """The example service's own error codes."""

    ITEM_LOCKED = "ITEM_LOCKED"


class Settings(ServiceSettings):
    """The example's settings."""

    port: Port = 0
    greeting: str = "hello"


@dataclass
class Ctx:
    """What the example's handlers get: settings, state, and hooks the tests drive."""

    settings: Settings
    items: dict[str, "Item"] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    not_ready: str | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    fail_open: bool = False
    fail_close: bool = False


class NewItem(BaseModel):
    """A new item."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=20)
    qty: int = Field(default=1, ge=1)
    tags: list[str] = Field(default_factory=list)


class Item(BaseModel):
    """A stored item."""

    id: str
    name: str
    qty: int
    tags: list[str]


class ItemList(BaseModel):
    """Some items."""

    items: list[Item]


class ItemPath(BaseModel):
    """`/items/{item_id}`."""

    item_id: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,12}$", description="the item's id")]


class NumberPath(BaseModel):
    """`/numbers/{n:int}`."""

    n: int


class ListQuery(BaseModel):
    """Paging and filtering."""

    limit: int = Field(default=10, ge=1, le=100, description="how many to return")
    tag: list[str] | None = None
    prefix: str | None = None


class Empty(BaseModel):
    """A query model without fields."""


class Legacy(BaseModel):
    """A body whose validation keeps the original's exact messages."""

    url: str | None = None

    @field_validator("url")
    @classmethod
    def url_present(cls, value: str | None) -> str | None:
        """The original's message and code, raised as is."""
        if not value or not value.strip():
            raise AppError(ErrorCode.INVALID_INPUT, "Field 'url' is required")
        return value


class Lax(BaseModel):
    """A body validated in lax mode."""

    n: int


class UploadResult(BaseModel):
    """What the upload route saw."""

    size: int
    sha256: str
    media_type: str | None
    content_type: str | None
    content_length: int | None


class Note(BaseModel):
    """What the raw-echo route documents as its body (it reads the bytes itself)."""

    text: str


class Echo(BaseModel):
    """Request details as the handler sees them."""

    request_id: str
    header: str | None
    greeting: str


async def create_item(call: Call[Ctx, NewItem]) -> Item:
    """Create an item.

    The id is the item's position.
    """
    body = call.body
    item = Item(id=str(len(call.ctx.items) + 1), name=body.name, qty=body.qty, tags=body.tags)
    call.ctx.items[item.id] = item
    return item


async def read_item(call: Call[Ctx, NoBody, NoQuery, ItemPath]) -> Item:
    """Read an item."""
    item = call.ctx.items.get(call.path.item_id)
    if item is None:
        raise AppError(ErrorCode.NOT_FOUND, "item not found")
    return item


async def head_item(call: Call[Ctx, NoBody, NoQuery, ItemPath]) -> Response:
    """Whether an item exists (its name in a header)."""
    item = call.ctx.items.get(call.path.item_id)
    if item is None:
        raise AppError(ErrorCode.NOT_FOUND, "item not found")
    return Response(status_code=200, headers={"X-Item-Name": item.name})


async def list_items(call: Call[Ctx, NoBody, ListQuery]) -> ItemList:
    """List items, filtered by tag and name prefix."""
    tags = set(call.query.tag or [])
    prefix = call.query.prefix or ""
    chosen = [
        item
        for item in call.ctx.items.values()
        if (not tags or tags & set(item.tags)) and item.name.startswith(prefix)
    ]
    return ItemList(items=chosen[: call.query.limit])


async def delete_item(call: Call[Ctx, NoBody, NoQuery, ItemPath]) -> None:
    """Delete an item (idempotent)."""
    if call.path.item_id == "locked":
        raise AppError(ExampleCode.ITEM_LOCKED, "item is locked", 423)
    call.ctx.items.pop(call.path.item_id, None)


async def tagged_item(call: Call[Ctx, NoBody, NoQuery, ItemPath]) -> Reply[Item]:
    """An item with its ETag."""
    item = await read_item(call)
    return Reply(item, headers={"ETag": f'"{item.id}"'}, status=203)


async def upload(call: Call[Ctx, BodyStream]) -> UploadResult:
    """Hash a streamed body (the route requires the `upload` key)."""
    digest = hashlib.sha256()
    size = 0
    async for chunk in call.body:
        digest.update(chunk)
        size += len(chunk)
    return UploadResult(
        size=size,
        sha256=digest.hexdigest(),
        media_type=call.body.media_type,
        content_type=call.body.content_type,
        content_length=call.body.content_length,
    )


async def raw_echo(call: Call[Ctx, BodyStream]) -> Response:
    # No docstring on purpose: the operation then has no summary.
    logger.info("echo started")
    received = b"".join([chunk async for chunk in call.body])
    return Response(received, media_type="application/octet-stream")


async def teapot(call: Call[Ctx]) -> Item:
    """A Starlette HTTPException raised by code under the handler."""
    raise HTTPException(status_code=418, detail="short and stout")


async def image(call: Call[Ctx]) -> Response:
    """A tiny PNG."""
    return Response(b"\x89PNG\r\n\x1a\n", media_type="image/png")


async def boom(call: Call[Ctx]) -> Item:
    """A bug."""
    raise RuntimeError("secret detail of the bug")


async def upstream(call: Call[Ctx]) -> Item:
    """An upstream failure."""
    raise AppError(ErrorCode.EXTERNAL_SERVICE_ERROR, "upstream is down")


async def legacy(call: Call[Ctx, Legacy]) -> Echo:
    """A body with the original's messages."""
    return Echo(request_id=call.request_id, header=call.body.url, greeting="")


async def lax(call: Call[Ctx, Lax]) -> Lax:
    """A lax body."""
    return call.body


async def echo(call: Call[Ctx]) -> Echo:
    """The request id as the handler sees it."""
    return Echo(
        request_id=call.request_id,
        header=call.headers.get("x-request-id"),
        greeting=call.ctx.settings.greeting,
    )


async def number(call: Call[Ctx, NoBody, Empty, NumberPath]) -> Lax:
    """A path parameter converted by the route (`{n:int}`)."""
    return Lax(n=call.path.n * 2)


async def slow(call: Call[Ctx]) -> Echo:
    """Wait until the test releases the request."""
    call.ctx.events.append("slow entered")
    call.ctx.entered.set()
    await call.ctx.release.wait()
    call.ctx.events.append("slow finished")
    return Echo(request_id=call.request_id, header=None, greeting="done")


async def broken_stream(call: Call[Ctx]) -> Response:
    """A stream that fails after the response has started."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b"partial"
        raise RuntimeError("stream broke")

    return StreamingResponse(chunks(), media_type="text/plain")


async def slow_stream(call: Call[Ctx]) -> Response:
    """A stream that stalls after its first chunk until the test releases it."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b"first"
        call.ctx.entered.set()
        await call.ctx.release.wait()
        yield b"rest"

    return StreamingResponse(chunks(), media_type="text/plain")


async def late_app_error(call: Call[Ctx]) -> Response:
    """A stream that raises an AppError after the response has started."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b"partial"
        raise AppError(ErrorCode.CONFLICT, "too late")

    return StreamingResponse(chunks(), media_type="text/plain")


def example_routes() -> list[Route[Ctx]]:
    """Every route of the example."""
    return [
        post("/items").body(NewItem).returns(Item, status=201).to(create_item),
        get("/items").query(ListQuery).returns(ItemList).to(list_items),
        get("/items/{item_id}").path(ItemPath).returns(Item).to(read_item),
        head("/items/{item_id}").path(ItemPath).returns_raw("application/json").to(head_item),
        delete("/items/{item_id}").path(ItemPath).returns_empty().to(delete_item),
        get("/tagged/{item_id}").path(ItemPath).returns(Item).to(tagged_item),
        post("/upload")
        .requires("upload")
        .stream("application/octet-stream", max_bytes=64)
        .returns(UploadResult)
        .to(upload),
        get("/image").returns_raw("image/png", description="A PNG").to(image),
        put("/raw-echo")
        .stream("application/json", schema=Note)
        .returns_raw("application/octet-stream", also={304: "Not modified", 206: "A part"})
        .to(raw_echo),
        patch("/teapot").returns(Item).to(teapot),
        get("/boom").returns(Item).to(boom),
        get("/upstream").returns(Item).to(upstream),
        post("/legacy").body(Legacy).returns(Echo).to(legacy),
        post("/lax").body(Lax, strict=False, max_bytes=32).returns(Lax).to(lax),
        get("/echo").returns(Echo).to(echo),
        get("/numbers/{n:int}").path(NumberPath).query(Empty).returns(Lax).to(number),
        get("/slow").returns(Echo).to(slow),
        get("/broken-stream").returns_raw("text/plain").to(broken_stream),
        get("/late-error").returns_raw("text/plain").to(late_app_error),
        get("/slow-stream").returns_raw("text/plain").to(slow_stream),
    ]


EXAMPLE_KEYS = ApiKeys(
    {"upload": ["key"]},
    missing=Refusal(ErrorCode.UNAUTHORIZED, "missing API key"),
    wrong=Refusal(ErrorCode.FORBIDDEN, "wrong API key"),
)


def readiness(ctx: Ctx) -> list[ReadinessCheck]:
    """Ready unless the test set `ctx.not_ready`."""

    async def flag() -> None:
        if ctx.not_ready is not None:
            raise NotReadyError(ctx.not_ready)

    return [flag]


def build_example(ctx: Ctx) -> Starlette:
    """The example app around an existing context (so tests can watch it)."""

    @asynccontextmanager
    async def resources(settings: Settings) -> AsyncIterator[Ctx]:
        if ctx.fail_open:
            raise ConnectionError("cannot reach the store")
        ctx.events.append(f"opened for {settings.greeting}")
        yield ctx
        ctx.events.append("closed")
        if ctx.fail_close:
            raise ConnectionError("store close failed")

    return create_app(
        service="example-api",
        settings=ctx.settings,
        resources=resources,
        routes=example_routes(),
        readiness=readiness,
        auth=EXAMPLE_KEYS,
        version="2.0.0",
        description="The kit's example service.",
    )


class LogLines:
    """The JSON log lines written while a test runs."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handle: LoggingHandle = configure_logging(
            service="example-api", instance="test-1", stream=self.stream
        )

    def lines(self) -> list[dict[str, object]]:
        """Every line so far (flushes the writer thread first)."""
        self.handle.close()
        parsed: list[dict[str, object]] = []
        for line in self.stream.getvalue().splitlines():
            value = TypeAdapter(dict[str, object]).validate_json(line)
            parsed.append(value)
        return parsed

    def named(self, logger: str) -> list[dict[str, object]]:
        """The lines of one logger."""
        return [line for line in self.lines() if line["logger"] == logger]


@dataclass
class RawResponse:
    """A response received straight from the ASGI app."""

    status: int
    headers: dict[str, str]
    body: bytes
    received: int
    """How many messages the app asked `receive` for."""


async def asgi_call(
    app: Starlette,
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    raw_headers: list[tuple[bytes, bytes]] | None = None,
    chunks: list[bytes] | None = None,
    disconnect: bool = False,
) -> RawResponse:
    """Call the ASGI app directly (headers and body chunks exactly as given)."""
    pending: list[dict[str, object]] = [
        {"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks or []
    ]
    if disconnect:
        pending.append({"type": "http.disconnect"})
    else:
        pending.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[Mapping[str, object]] = []
    received = 0

    async def receive() -> dict[str, object]:
        nonlocal received
        received += 1
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: Mapping[str, object]) -> None:
        sent.append(message)

    sent_headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    sent_headers += raw_headers or []
    scope: dict[str, object] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": sent_headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    status = 0
    response_headers: dict[str, str] = {}
    body = b""
    for message in sent:
        if message["type"] == "http.response.start":
            raw_status = message["status"]
            assert isinstance(raw_status, int)
            status = raw_status
            pairs = message["headers"]
            assert isinstance(pairs, list)
            for pair in pairs:
                assert isinstance(pair, tuple)
                name, value = pair
                assert isinstance(name, bytes)
                assert isinstance(value, bytes)
                response_headers[name.decode()] = value.decode()
        else:
            part = message.get("body", b"")
            assert isinstance(part, bytes)
            body += part
    return RawResponse(status, response_headers, body, received)
