"""Declaring routes: what a route parses, what it returns, and the typed handler.

    post("/v1/items").body(NewItem).returns(Item, status=201).to(create_item)
    get("/v1/items/{item_id}").path(ItemPath).query(Fields).returns(Item).to(read_item)
    delete("/v1/items/{item_id}").requires("admin").path(ItemPath).returns_empty().to(delete_item)

The handler is `async def create_item(call: Call[Ctx, NewItem]) -> Item`: `call.body`,
`call.query` and `call.path` are validated models, `call.ctx` is what the service opened
at startup. Every declaration is checked by mypy against the handler, and feeds the
OpenAPI document.
"""

import re
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal

from pydantic import BaseModel
from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from typing_extensions import TypeVar

from platform_core.http.parsing import (
    DEFAULT_MAX_BODY_BYTES,
    NO_BODY,
    NO_PATH,
    NO_QUERY,
    BodyStream,
    NoBody,
    NoPath,
    NoQuery,
    list_fields,
    parse_path,
    parse_query,
    read_json_body,
)
from platform_core.logging import current_request_id

C = TypeVar("C")
B = TypeVar("B", default=NoBody)
Q = TypeVar("Q", bound=BaseModel, default=NoQuery)
P = TypeVar("P", bound=BaseModel, default=NoPath)
R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)

Method = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
_PARAM = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?}")
_INT_PARAM = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*):int}")
_DIGITS_CONVERTOR = "platform_digits"


class _Digits(Convertor[int | str]):
    """`{name:int}` as routed by the kit: digits, handed over as an int when `int()` can.

    Starlette's own `int` convertor calls `int()` while the request is routed, and
    `int()` refuses more digits than `sys.get_int_max_str_digits()` (4300) with a
    `ValueError`: a 500 for a client's mistake. Such a value is handed to the path model
    as its digits instead, which refuses it as a 400 naming the parameter.
    """

    regex = "[0-9]+"

    def convert(self, value: str) -> int | str:
        if 0 < sys.get_int_max_str_digits() < len(value):
            return value
        return int(value)

    def to_string(self, value: int | str) -> str:
        return str(value)


register_url_convertor(_DIGITS_CONVERTOR, _Digits())


def starlette_template(template: str) -> str:
    """The path template the kit routes with (`{x:int}` -> `{x:platform_digits}`)."""
    return _INT_PARAM.sub(r"{\1:" + _DIGITS_CONVERTOR + "}", template)


@dataclass(frozen=True, slots=True)
class Call(Generic[C, B, Q, P]):
    """One request as the handler sees it: typed parts plus the service's context.

    `Call[Ctx]` takes nothing; `Call[Ctx, Body]` a JSON body; `Call[Ctx, NoBody, Query]`
    query parameters; `Call[Ctx, NoBody, NoQuery, Path]` path parameters.
    """

    ctx: C
    body: B
    query: Q
    path: P
    request: Request

    @property
    def request_id(self) -> str:
        """This request's id (the `X-Request-ID` sent back)."""
        return current_request_id() or ""

    @property
    def headers(self) -> Headers:
        """The request headers (case-insensitive)."""
        return self.request.headers


Reader = Callable[[Request], Awaitable[R]]


@dataclass(frozen=True, slots=True)
class BodySpec:
    """How a route reads its body, for the OpenAPI document."""

    kind: Literal["none", "json", "stream"]
    model: type[BaseModel] | None = None
    media_types: tuple[str, ...] = ()
    max_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class ResponseSpec:
    """What a route answers on success, for the OpenAPI document."""

    kind: Literal["json", "raw", "empty"]
    status: int
    model: type[BaseModel] | None = None
    media_types: tuple[str, ...] = ()
    description: str = "Success"
    also: tuple[tuple[int, str], ...] = ()


def path_params(template: str) -> tuple[str, ...]:
    """The parameter names of a path template, in order (`/a/{x}/{y:int}` -> `x`, `y`)."""
    return tuple(match.group(1) for match in _PARAM.finditer(template))


@dataclass(frozen=True, slots=True)
class Route(Generic[C]):
    """A declared route, ready for `create_app`; built with `get(...)...to(handler)`."""

    method: Method
    path: str
    name: str
    summary: str | None
    description: str | None
    body: BodySpec
    query: type[BaseModel] | None
    path_model: type[BaseModel] | None
    response: ResponseSpec
    invoke: Callable[[Request, C], Awaitable[Response]] = field(repr=False)
    scope: str | None = None
    """The API-key scope the route requires (`requires`), None when it is open."""


async def _no_body(_: Request) -> NoBody:
    return NO_BODY


async def _no_query(_: Request) -> NoQuery:
    return NO_QUERY


async def _no_path(_: Request) -> NoPath:
    return NO_PATH


def _json_reader(model: type[M], limit: int, *, strict: bool) -> Reader[M]:
    async def read(request: Request) -> M:
        return await read_json_body(request, model, limit=limit, strict=strict)

    return read


def _stream_reader(limit: int | None) -> Reader[BodyStream]:
    async def read(request: Request) -> BodyStream:
        return BodyStream(request, limit)

    return read


def _query_reader(model: type[M]) -> Reader[M]:
    lists = list_fields(model)

    async def read(request: Request) -> M:
        return parse_query(request, model, lists)

    return read


def _path_reader(model: type[M]) -> Reader[M]:
    async def read(request: Request) -> M:
        return parse_path(request, model)

    return read


@dataclass(frozen=True, slots=True)
class Endpoint(Generic[B, Q, P]):
    """A route being declared: method, path template and how each part is read."""

    method: Method
    template: str
    read_body: Reader[B]
    read_query: Reader[Q]
    read_path: Reader[P]
    body_spec: BodySpec = BodySpec("none")
    query_model: type[BaseModel] | None = None
    path_model: type[BaseModel] | None = None
    scope: str | None = None

    def requires(self, scope: str) -> "Endpoint[B, Q, P]":
        """Only callers with an API key of `scope` get through (`create_app(auth=...)` says
        which keys open it). The key is checked before the path, the query and a byte of
        the body are read; a refusal is the auth's 401 (or 403)."""
        if not scope:
            raise ValueError(f"{self.method} {self.template}: requires() needs a scope name")
        return Endpoint(
            self.method,
            self.template,
            self.read_body,
            self.read_query,
            self.read_path,
            self.body_spec,
            self.query_model,
            self.path_model,
            scope,
        )

    def body(
        self, model: type[M], *, max_bytes: int = DEFAULT_MAX_BODY_BYTES, strict: bool = True
    ) -> "Endpoint[M, Q, P]":
        """A JSON body validated as `model` (strict JSON types unless `strict=False`).

        Bodies over `max_bytes` are refused with 413.
        """
        return Endpoint(
            self.method,
            self.template,
            _json_reader(model, max_bytes, strict=strict),
            self.read_query,
            self.read_path,
            BodySpec("json", model, ("application/json",), max_bytes),
            self.query_model,
            self.path_model,
            self.scope,
        )

    def stream(
        self,
        *media_types: str,
        max_bytes: int | None = None,
        schema: type[BaseModel] | None = None,
    ) -> "Endpoint[BodyStream, Q, P]":
        """The raw body as a `BodyStream` (uploads), documented with `media_types`.

        The handler parses the body itself; `schema`, when given, is what the OpenAPI
        document says the body holds (a JSON object the service reads field by field, a
        multipart form's parts). It validates nothing.
        """
        spec = BodySpec("stream", schema, media_types or ("application/octet-stream",), max_bytes)
        return Endpoint(
            self.method,
            self.template,
            _stream_reader(max_bytes),
            self.read_query,
            self.read_path,
            spec,
            self.query_model,
            self.path_model,
            self.scope,
        )

    def query(self, model: type[M]) -> "Endpoint[B, M, P]":
        """Query parameters validated as `model` (a name given twice arrives as a list)."""
        return Endpoint(
            self.method,
            self.template,
            self.read_body,
            _query_reader(model),
            self.read_path,
            self.body_spec,
            model,
            self.path_model,
            self.scope,
        )

    def path(self, model: type[M]) -> "Endpoint[B, Q, M]":
        """Path parameters validated as `model` (its fields are the `{names}` in the path)."""
        return Endpoint(
            self.method,
            self.template,
            self.read_body,
            self.read_query,
            _path_reader(model),
            self.body_spec,
            self.query_model,
            model,
            self.scope,
        )

    def returns(self, model: type[M], *, status: int = 200) -> "Responding[M | Reply[M], B, Q, P]":
        """The handler returns `model` (sent as JSON with `status`), or a `Reply` of it."""
        return Responding(
            self, ResponseSpec("json", status, model, ("application/json",)), _json_renderer(status)
        )

    def returns_raw(
        self,
        *media_types: str,
        status: int = 200,
        description: str = "Success",
        also: Mapping[int, str] | None = None,
    ) -> "Responding[Response, B, Q, P]":
        """The handler returns a Starlette `Response` itself (images, files, streams).

        `also` documents the other successful statuses it may answer, each with its
        description (`{206: "A byte range", 304: "Not modified"}`): with the same media
        types, except 204 and 304, which carry no body.
        """
        if not media_types:
            raise ValueError(f"{self.method} {self.template}: returns_raw needs a media type")
        more = tuple(sorted((also or {}).items()))
        spec = ResponseSpec("raw", status, None, media_types, description, more)
        return Responding(self, spec, _as_is)

    def returns_empty(self, *, status: int = 204) -> "Responding[None, B, Q, P]":
        """The handler returns None: an empty response with `status`."""
        return Responding(
            self, ResponseSpec("empty", status, None, (), "No content"), _empty_renderer(status)
        )


@dataclass(frozen=True, slots=True)
class Reply(Generic[M]):
    """A JSON result with its own status or headers: `Reply(item, headers={"ETag": tag})`."""

    body: M
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


def _json_renderer(status: int) -> "Callable[[M | Reply[M]], Response]":
    def render(result: M | Reply[M]) -> Response:
        if isinstance(result, Reply):
            return Response(
                result.body.model_dump_json().encode(),
                result.status or status,
                headers=dict(result.headers),
                media_type="application/json",
            )
        return Response(result.model_dump_json().encode(), status, media_type="application/json")

    return render


def _as_is(result: Response) -> Response:
    return result


def _empty_renderer(status: int) -> Callable[[None], Response]:
    def render(_: None) -> Response:
        return Response(status_code=status)

    return render


@dataclass(frozen=True, slots=True)
class Responding(Generic[R, B, Q, P]):
    """A declared route waiting for its handler (`.to(handler)`)."""

    endpoint: Endpoint[B, Q, P]
    response: ResponseSpec
    render: Callable[[R], Response]

    def to(
        self,
        handler: Callable[[Call[C, B, Q, P]], Awaitable[R]],
        *,
        name: str | None = None,
    ) -> Route[C]:
        """The route, handled by `handler`; `name` (default: the handler's) is its operationId.

        The handler's docstring is the operation's summary (first line) and description.
        """
        endpoint = self.endpoint
        render = self.render

        async def invoke(request: Request, ctx: C) -> Response:
            path = await endpoint.read_path(request)
            query = await endpoint.read_query(request)
            body = await endpoint.read_body(request)
            return render(await handler(Call(ctx, body, query, path, request)))

        doc = (handler.__doc__ or "").strip()
        summary, _, description = doc.partition("\n")
        return Route(
            method=endpoint.method,
            path=endpoint.template,
            name=name or handler.__name__,
            summary=summary.strip() or None,
            description=description.strip() or None,
            body=endpoint.body_spec,
            query=endpoint.query_model,
            path_model=endpoint.path_model,
            response=self.response,
            invoke=invoke,
            scope=endpoint.scope,
        )


def route(method: Method, path: str) -> Endpoint[NoBody, NoQuery, NoPath]:
    """Start declaring `method path` (a Starlette path template: `/files/{file_id}`)."""
    if not path.startswith("/"):
        raise ValueError(f"a route path must start with '/': {path!r}")
    return Endpoint(method, path, _no_body, _no_query, _no_path)


def get(path: str) -> Endpoint[NoBody, NoQuery, NoPath]:
    """A GET route (HEAD is answered by it too)."""
    return route("GET", path)


def head(path: str) -> Endpoint[NoBody, NoQuery, NoPath]:
    """A HEAD route of its own (takes precedence over the GET route's HEAD)."""
    return route("HEAD", path)


def post(path: str) -> Endpoint[NoBody, NoQuery, NoPath]:
    """A POST route."""
    return route("POST", path)


def put(path: str) -> Endpoint[NoBody, NoQuery, NoPath]:
    """A PUT route."""
    return route("PUT", path)


def patch(path: str) -> Endpoint[NoBody, NoQuery, NoPath]:
    """A PATCH route."""
    return route("PATCH", path)


def delete(path: str) -> Endpoint[NoBody, NoQuery, NoPath]:
    """A DELETE route."""
    return route("DELETE", path)


def check_routes(routes: Sequence[Route[C]], reserved: frozenset[str] = frozenset()) -> None:
    """Refuse declarations that cannot work: duplicates, path models not matching the path,
    paths the kit itself answers (`reserved`)."""
    seen: set[tuple[str, str]] = set()
    spelled: dict[str, Route[C]] = {}
    names: set[str] = set()
    for each in routes:
        if each.path in reserved:
            raise ValueError(f"route {each.method} {each.path}: the kit answers this path itself")
        shape = _PARAM.sub("{}", each.path)  # what Starlette matches: names and types aside
        key = (each.method, shape)
        if key in seen:
            raise ValueError(f"route {each.method} {each.path} is declared twice")
        seen.add(key)
        first = spelled.setdefault(shape, each)
        if first.path != each.path:
            # two spellings would be two Starlette routes: the second one's methods
            # would get a 405 from the first
            raise ValueError(
                f"route {each.method} {each.path}: {first.method} {first.path} declares "
                "the same path with other parameter names or types; spell it the same way"
            )
        if each.name in names:
            raise ValueError(f"route name {each.name!r} is used twice (operationIds are unique)")
        names.add(each.name)
        declared = set(each.path_model.model_fields) if each.path_model is not None else set()
        params = path_params(each.path)
        if declared != set(params):
            raise ValueError(
                f"route {each.method} {each.path}: path parameters {sorted(params)} "
                f"but the path model declares {sorted(declared)}"
            )
