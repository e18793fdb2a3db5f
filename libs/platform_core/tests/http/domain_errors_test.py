"""The domain-error table: one declaration per app of how its exceptions answer over HTTP."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from kit_example import LogLines, asgi_call
from pydantic import BaseModel
from starlette.applications import Starlette

from platform_core.errors import AppError, ErrorCode
from platform_core.http import (
    BodyStream,
    Call,
    ErrorRule,
    create_app,
    get,
    maps,
    post,
    settings_only,
)
from platform_core.http.domain_errors import ErrorTable
from platform_core.http_testing import app_client, json_object, lifespan


class StoreError(Exception):
    """Base of the example store's errors."""


class MissingError(StoreError):
    """Nothing is stored under the name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not stored")
        self.name = name


class GoneError(MissingError):
    """It was stored once, and deleted."""


class DiskError(StoreError):
    """The disk failed."""


class UnmappedError(Exception):
    """An exception no row maps."""


def not_found(exc: MissingError) -> AppError:
    return AppError(ErrorCode.NOT_FOUND, f"no item {exc.name}")


ROWS: list[ErrorRule] = [
    maps(StoreError, lambda _: AppError(ErrorCode.INTERNAL_ERROR, "store failed")),
    maps(MissingError, not_found),
    maps(ValueError, lambda exc: AppError(ErrorCode.INVALID_INPUT, str(exc))),
]


def test_the_most_specific_row_wins() -> None:
    table = ErrorTable(ROWS)
    assert len(table) == 3
    for raised, expected in [
        (MissingError("a"), (404, "no item a")),
        (GoneError("b"), (404, "no item b")),  # a subclass takes its base's row
        (DiskError(), (500, "store failed")),
        (StoreError(), (500, "store failed")),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"), (400, "'utf-8' codec can't decode")),
    ]:
        answer = table.answer(raised)
        assert answer is not None
        assert (answer.status, answer.message[:26]) == (expected[0], expected[1][:26])


def test_app_errors_answer_as_they_are_and_others_not_at_all() -> None:
    table = ErrorTable(ROWS)
    error = AppError(ErrorCode.CONFLICT, "busy")
    assert table.answer(error) is error
    assert table.answer(UnmappedError()) is None
    assert ErrorTable([]).answer(MissingError("a")) is None


def test_each_answer_is_a_fresh_error() -> None:
    table = ErrorTable(ROWS)
    first, second = table.answer(DiskError()), table.answer(DiskError())
    assert first is not None
    assert first is not second


def test_a_kind_is_mapped_once_and_never_an_app_error() -> None:
    with pytest.raises(ValueError, match="MissingError is mapped twice in the error table"):
        ErrorTable([*ROWS, maps(MissingError, not_found)])

    class SpecialError(AppError):
        """An AppError subclass."""

    with pytest.raises(TypeError, match="SpecialError is an AppError: it answers as it is"):
        ErrorTable([maps(SpecialError, lambda exc: exc)])


def test_a_row_answers_only_for_its_kind() -> None:
    row = maps(MissingError, not_found)
    with pytest.raises(TypeError, match="the MissingError row was asked about DiskError"):
        row.answer(DiskError())


# --- in an app ----------------------------------------------------------------------


class Item(BaseModel):
    """An item."""

    name: str


@dataclass
class Store:
    """The example's store: names that are stored, and what the handlers saw."""

    names: set[str] = field(default_factory=lambda: {"pen"})
    seen: list[str] = field(default_factory=list)


async def read(call: Call[Store]) -> Item:
    """Read `?name=`: the domain raises, the table answers."""
    name = call.request.query_params.get("name", "")
    call.ctx.seen.append(name)
    if name == "disk":
        raise DiskError("sector 7 unreadable")
    if name == "bug":
        raise UnmappedError("a bug")
    if name == "conflict":
        raise AppError(ErrorCode.CONFLICT, "busy")
    if name not in call.ctx.names:
        raise MissingError(name)
    return Item(name=name)


async def put_blob(call: Call[Store, BodyStream]) -> Item:
    """Store a body: refuses an `X-Name` before reading, or fails half way."""
    name = call.headers.get("x-name", "")
    if name == "taken":
        raise MissingError("taken")
    size = 0
    async for chunk in call.body:
        size += len(chunk)
        if name == "half":
            raise DiskError("disk full half way")
    return Item(name=str(size))


def build(store: Store) -> Starlette:
    """The example app with the table."""
    return create_app(
        service="table-api",
        settings=store,
        resources=settings_only,
        routes=[
            get("/items").returns(Item).to(read),
            post("/blobs").stream().returns(Item).to(put_blob),
        ],
        errors=ROWS,
    )


@pytest.fixture()
def store() -> Store:
    """A fresh store."""
    return Store()


@pytest.fixture()
async def client(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client of the started app."""
    async with app_client(build(store)) as started:
        yield started


def envelope(response: httpx.Response) -> tuple[int, str, str]:
    """Status, code and message of an error response."""
    body = json_object(response)
    code, message = body["code"], body["message"]
    assert isinstance(code, str)
    assert isinstance(message, str)
    return response.status_code, code, message


async def test_domain_errors_answer_through_the_table(client: httpx.AsyncClient) -> None:
    assert (await client.get("/items?name=pen")).status_code == 200
    assert envelope(await client.get("/items?name=cup")) == (404, "NOT_FOUND", "no item cup")
    assert envelope(await client.get("/items?name=disk")) == (
        500,
        "INTERNAL_ERROR",
        "store failed",
    )
    assert envelope(await client.get("/items?name=conflict")) == (409, "CONFLICT", "busy")
    assert envelope(await client.get("/items?name=bug")) == (
        500,
        "INTERNAL_ERROR",
        "Internal server error",
    )


async def test_a_mapped_5xx_is_logged_with_the_domain_error_as_its_cause(
    client: httpx.AsyncClient, logs: LogLines
) -> None:
    await client.get("/items?name=disk", headers={"x-request-id": "disk-1"})
    await client.get("/items?name=cup")
    lines = logs.named("platform_core.http")
    [failed] = [line for line in lines if line["level"] == "ERROR"]
    assert (failed["message"], failed["request_id"]) == ("request failed: store failed", "disk-1")
    trace = failed["exc_info"]
    assert isinstance(trace, str)
    assert "DiskError: sector 7 unreadable" in trace
    assert "The above exception was the direct cause" in trace
    [refused] = [line for line in lines if line["level"] == "INFO"]
    assert (refused["message"], refused["status"]) == ("request refused: no item cup", 404)


async def test_a_refusal_before_the_body_drains_a_small_one(store: Store) -> None:
    app = build(store)
    async with lifespan(app):
        refused = await asgi_call(
            app,
            "POST",
            "/blobs",
            headers={"x-name": "taken", "content-length": "3"},
            chunks=[b"abc"],
        )
        large = await asgi_call(
            app,
            "POST",
            "/blobs",
            headers={"x-name": "taken", "content-length": "70000"},
            chunks=[b"a"],
        )
        odd = await asgi_call(
            app,
            "POST",
            "/blobs",
            headers={"x-name": "taken", "content-length": "3x"},
            chunks=[b"abc"],
        )
        failed = await asgi_call(
            app,
            "POST",
            "/blobs",
            headers={"x-name": "half", "content-length": "3"},
            chunks=[b"abc"],
        )
        stored = await asgi_call(app, "POST", "/blobs", chunks=[b"abc"])
    # Read to its end (two messages) before the 404, so the connection is not reset.
    assert (refused.status, refused.received) == (404, 2)
    # Over 64 KiB declared, or a length that is not one: not read at all.
    assert (large.status, large.received) == (404, 0)
    assert (odd.status, odd.received) == (404, 0)
    # Refused half way: nothing more is read than the handler read.
    assert (failed.status, failed.received) == (500, 1)
    assert (stored.status, stored.received) == (200, 2)
