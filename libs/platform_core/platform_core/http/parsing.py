"""Turning the untyped parts of a request into the route's pydantic models.

Each failure is its own precise error: an unsupported `Content-Type` is 415, a body over
the route's limit 413 (refused from `Content-Length` before reading when it can be),
malformed or non-UTF-8 JSON 400 `INVALID_JSON`, a JSON value that is not an object and
fields that do not validate 400 `INVALID_INPUT` with the field path in the message.
"""

import re
from collections.abc import AsyncIterator, Mapping
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, JsonValue, TypeAdapter, ValidationError
from starlette.requests import Request

from platform_core.errors import AppError, ErrorCode

M = TypeVar("M", bound=BaseModel)
Part = Literal["body", "query", "path"]

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
REFUSED_DRAIN_BYTES = 64 * 1024
"""The largest declared body `drain_unread` reads before a refusal is answered."""
# A Content-Length is ASCII digits, at most 20 of them (h11's bound): `str.isdigit` also
# takes other scripts' digits ("²", "٣") that `int` refuses, and `int` refuses more than
# 4300 digits; either would otherwise be a 500 for a client's mistake.
_CONTENT_LENGTH = re.compile(r"[0-9]{1,20}")
_JSON_PREFIX = "Invalid JSON: "
_VALUE_ERROR_PREFIX = "Value error, "


class NoBody(BaseModel):
    """The body model of a route that reads no body."""

    model_config = ConfigDict(frozen=True)


class NoQuery(BaseModel):
    """The query model of a route that takes no query parameters (any given are ignored)."""

    model_config = ConfigDict(frozen=True)


class NoPath(BaseModel):
    """The path model of a route without path parameters."""

    model_config = ConfigDict(frozen=True)


NO_BODY = NoBody()
NO_QUERY = NoQuery()
NO_PATH = NoPath()


class _ErrorItem(BaseModel):
    loc: tuple[str | int, ...]
    msg: str
    type: str


_ERRORS = TypeAdapter(list[_ErrorItem])


def _location(part: Part, loc: tuple[str | int, ...]) -> str:
    text: str = part
    for item in loc:
        text += f"[{item}]" if isinstance(item, int) else f".{item}"
    return text


def _message(item: _ErrorItem) -> str:
    return item.msg.removeprefix(_VALUE_ERROR_PREFIX)


def validation_error(part: Part, exc: ValidationError) -> AppError:
    """The 400 for a model that did not validate: `body.items[0].name: Field required; ...`."""
    items = _ERRORS.validate_json(
        exc.json(include_url=False, include_context=False, include_input=False)
    )
    for item in items:
        if item.type == "json_invalid":
            detail = item.msg.removeprefix(_JSON_PREFIX)
            return AppError(ErrorCode.INVALID_JSON, f"malformed JSON body: {detail}")
        if part == "body" and not item.loc and item.type == "model_type":
            return AppError(ErrorCode.INVALID_INPUT, "request body must be a JSON object")
    message = "; ".join(f"{_location(part, item.loc)}: {_message(item)}" for item in items)
    return AppError(ErrorCode.INVALID_INPUT, message)


def content_length(request: Request) -> int | None:
    """The declared body size, or None; a malformed header is a 400."""
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if _CONTENT_LENGTH.fullmatch(raw) is None:
        raise AppError(ErrorCode.INVALID_INPUT, "invalid Content-Length header")
    return int(raw)


def too_large(limit: int) -> AppError:
    """The 413 for a body over `limit` bytes."""
    return AppError(ErrorCode.PAYLOAD_TOO_LARGE, f"request body is larger than {limit} bytes")


def media_type(request: Request) -> str | None:
    """The request's media type without parameters, lower case (`application/json`)."""
    raw = request.headers.get("content-type")
    if raw is None:
        return None
    return raw.split(";", 1)[0].strip().lower()


def is_json_media_type(value: str) -> bool:
    """`application/json` or any `+json` type."""
    return value == "application/json" or (
        value.startswith("application/") and value.endswith("+json")
    )


async def limited_chunks(request: Request, limit: int | None) -> AsyncIterator[bytes]:
    """The body's chunks, raising 413 as soon as more than `limit` bytes are declared or seen."""
    if limit is not None:
        declared = content_length(request)
        if declared is not None and declared > limit:
            raise too_large(limit)
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if limit is not None and size > limit:
            raise too_large(limit)
        if chunk:
            yield chunk


async def drain_unread(request: Request) -> None:
    """Read and drop the body of a request refused before anything read it.

    The refusal was decided without the body; but a server that closes a connection
    with unread data makes the kernel reset it, and the client (one that sends its whole
    body before reading, as httpx does) may then lose the error response. A body of at
    most `REFUSED_DRAIN_BYTES` declared bytes is therefore read and dropped first;
    larger ones, and bodies of unknown size, are not read.
    """
    raw = request.headers.get("content-length")
    if raw is None or _CONTENT_LENGTH.fullmatch(raw) is None or int(raw) > REFUSED_DRAIN_BYTES:
        return
    async for _ in request.stream():
        continue


async def read_json_body(request: Request, model: type[M], *, limit: int, strict: bool) -> M:
    """The body as `model`: JSON (a missing `Content-Type` is taken as JSON), within `limit`."""
    declared_type = media_type(request)
    if declared_type is not None and not is_json_media_type(declared_type):
        raise AppError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            f"expected Content-Type application/json, got {declared_type or 'an empty value'}",
        )
    raw = b"".join([chunk async for chunk in limited_chunks(request, limit)])
    if not raw:
        raise AppError(ErrorCode.INVALID_JSON, "request body is empty (expected a JSON object)")
    try:
        return model.model_validate_json(raw, strict=strict)
    except ValidationError as exc:
        raise validation_error("body", exc) from None


def _is_array(schema: JsonValue) -> bool:
    """Whether a JSON schema accepts arrays (`list[str]`, `list[str] | None`)."""
    options = schema.get("anyOf") if isinstance(schema, dict) else None
    return isinstance(schema, dict) and (
        schema.get("type") == "array"
        or (isinstance(options, list) and any(_is_array(option) for option in options))
    )


def list_fields(model: type[BaseModel]) -> frozenset[str]:
    """The names (aliases) of `model`'s fields that hold lists (`?tag=a&tag=b`)."""
    schema: dict[str, JsonValue] = model.model_json_schema()
    properties = schema.get("properties")
    found = properties.items() if isinstance(properties, dict) else ()
    return frozenset(name for name, prop in found if _is_array(prop))


def parse_query(request: Request, model: type[M], lists: frozenset[str] = frozenset()) -> M:
    """The query string as `model`: names in `lists` arrive as lists, others as strings.

    A name that is not a list field but is given more than once is a 400.
    """
    values: dict[str, str | list[str]] = {}
    for key, value in request.query_params.multi_items():
        existing = values.get(key)
        if isinstance(existing, list):
            existing.append(value)
        elif key in lists:
            values[key] = [value]
        elif existing is not None:
            raise AppError(ErrorCode.INVALID_INPUT, f"query.{key}: given more than once")
        else:
            values[key] = value
    return _validate("query", model, values)


def parse_path(request: Request, model: type[M]) -> M:
    """The path parameters as `model`."""
    params: Mapping[str, object] = request.path_params
    return _validate("path", model, params)


def _validate(part: Part, model: type[M], values: Mapping[str, object]) -> M:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise validation_error(part, exc) from None


class BodyStream:
    """A request body read as a stream of chunks (uploads), cut off with 413 past the limit.

    `async for chunk in call.body: ...`; it can be iterated once. Nothing is read until
    the handler iterates, so it can check credentials first; a declared `Content-Length`
    over the limit is refused with 413 when iteration starts, before any byte is read.
    """

    def __init__(self, request: Request, limit: int | None) -> None:
        self._request = request
        self.limit = limit

    @property
    def media_type(self) -> str | None:
        """The declared media type (`multipart/form-data`), without parameters."""
        return media_type(self._request)

    @property
    def content_type(self) -> str | None:
        """The full `Content-Type` header (with parameters such as the multipart boundary)."""
        return self._request.headers.get("content-type")

    @property
    def content_length(self) -> int | None:
        """The declared `Content-Length`, if any (a malformed one is a 400)."""
        return content_length(self._request)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return limited_chunks(self._request, self.limit)
