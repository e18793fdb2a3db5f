"""The OpenAPI 3.1 document of a service, built from its route declarations.

Request bodies, query and path parameters and responses come from the routes' pydantic
models (JSON Schema 2020-12, which OpenAPI 3.1 uses as is); every operation documents the
error envelope as its `default` response. With `ApiKeys`, the document declares the
`ApiKey` security scheme (the key's header) and each route that `requires` a scope lists
it with the scope as its role, plus its refusals (401, 403) as responses.
"""

import json
from collections.abc import Sequence
from typing import Literal, TypeVar

from pydantic import BaseModel, JsonValue

from platform_core.errors import ErrorBody
from platform_core.health import Liveness, Readiness
from platform_core.http.auth import SECURITY_SCHEME, ApiKeys, Auth
from platform_core.http.routing import BodySpec, ResponseSpec, Route, path_params

C = TypeVar("C")
JsonObject = dict[str, JsonValue]
Mode = Literal["validation", "serialization"]

OPENAPI_VERSION = "3.1.0"
REF_PREFIX = "#/components/schemas/"


class _Components:
    """The shared schemas, each stored once under its model's name."""

    def __init__(self) -> None:
        self.schemas: JsonObject = {}

    def _add(self, name: str, schema: JsonValue, owner: str) -> None:
        existing = self.schemas.get(name)
        if existing is not None and existing != schema:
            raise ValueError(
                f"two different schemas are named {name!r} (from {owner}): rename one of the models"
            )
        self.schemas[name] = schema

    def schema(self, model: type[BaseModel], mode: Mode) -> JsonObject:
        """The full schema of `model`, its nested models moved to the components."""
        schema: JsonObject = model.model_json_schema(ref_template=REF_PREFIX + "{model}", mode=mode)
        nested = schema.pop("$defs", None)
        if isinstance(nested, dict):
            for name, definition in nested.items():
                self._add(name, definition, model.__name__)
        return schema

    def ref(self, model: type[BaseModel], mode: Mode) -> JsonObject:
        """A `$ref` to `model`, adding it to the components."""
        self._add(model.__name__, self.schema(model, mode), model.__name__)
        return {"$ref": REF_PREFIX + model.__name__}


def _parameters(
    components: _Components, model: type[BaseModel] | None, where: Literal["query", "path"]
) -> list[JsonValue]:
    if model is None:
        return []
    schema = components.schema(model, "validation")
    properties = schema.get("properties")
    required = schema.get("required")
    needed = set(required) if isinstance(required, list) else set()
    parameters: list[JsonValue] = []
    for name, prop in properties.items() if isinstance(properties, dict) else ():
        parameter: JsonObject = {
            "name": name,
            "in": where,
            "required": where == "path" or name in needed,
            "schema": prop,
        }
        description = prop.get("description") if isinstance(prop, dict) else None
        if isinstance(description, str):
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


# statuses whose responses have no content (RFC 9110 §6.4.1)
_NO_BODY_STATUSES = frozenset({204, 304})


def _request_body(components: _Components, body: BodySpec) -> JsonObject | None:
    if body.kind == "none":
        return None
    content: JsonObject = {}
    for media_type in body.media_types:
        content[media_type] = (
            {"schema": components.ref(body.model, "validation")} if body.model is not None else {}
        )
    return {"required": True, "content": content}


def _success(components: _Components, response: ResponseSpec) -> JsonObject:
    described: JsonObject = {"description": response.description}
    content: JsonObject = {}
    for media_type in response.media_types:
        content[media_type] = (
            {"schema": components.ref(response.model, "serialization")}
            if response.model is not None
            else {}
        )
    if content:
        described["content"] = content
    return described


def _successes(components: _Components, response: ResponseSpec) -> dict[str, JsonObject]:
    """The route's success responses: its status, then those it answers `also`."""
    answers = {str(response.status): _success(components, response)}
    for status, description in response.also:
        other: JsonObject = {"description": description}
        if status not in _NO_BODY_STATUSES:
            other["content"] = {media_type: {} for media_type in response.media_types}
        answers[str(status)] = other
    return answers


def _json_response(description: str, schema: JsonObject) -> JsonObject:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_path(template: str) -> str:
    """A Starlette path template in OpenAPI form (`/a/{x:int}` -> `/a/{x}`)."""
    path = template
    for name in path_params(template):
        start = path.index("{" + name)
        end = path.index("}", start)
        path = path[:start] + "{" + name + "}" + path[end + 1 :]
    return path


def _refusals(keys: ApiKeys, error: JsonObject) -> dict[str, JsonObject]:
    """The responses of a refused key: one per status (401 and 403, or one 401 for both)."""
    messages: dict[int, list[str]] = {}
    for refusal in (keys.missing, keys.wrong):
        said = messages.setdefault(refusal.status, [])
        if refusal.message not in said:
            said.append(refusal.message)
    return {
        str(status): _json_response(" / ".join(said), error)
        for status, said in sorted(messages.items())
    }


def _operation(
    components: _Components, route: Route[C], error: JsonObject, auth: Auth | None
) -> JsonObject:
    operation: JsonObject = {"operationId": route.name}
    if route.summary is not None:
        operation["summary"] = route.summary
    if route.description is not None:
        operation["description"] = route.description
    parameters = _parameters(components, route.path_model, "path") + _parameters(
        components, route.query, "query"
    )
    if parameters:
        operation["parameters"] = parameters
    request_body = _request_body(components, route.body)
    if request_body is not None:
        operation["requestBody"] = request_body
    refusals: dict[str, JsonObject] = {}
    if isinstance(auth, ApiKeys) and route.scope is not None:
        operation["security"] = [{SECURITY_SCHEME: [route.scope]}]
        refusals = _refusals(auth, error)
    operation["responses"] = {
        **_successes(components, route.response),
        **refusals,
        "default": _json_response("Error (the platform's error envelope)", error),
    }
    return operation


def _health_paths(components: _Components, error: JsonObject) -> dict[str, JsonObject]:
    readiness = components.ref(Readiness, "serialization")
    return {
        "/healthz": {
            "get": {
                "operationId": "healthz",
                "summary": "Liveness: the process answers",
                "responses": {
                    "200": _json_response("Alive", components.ref(Liveness, "serialization")),
                    "default": _json_response("Error", error),
                },
            }
        },
        "/readyz": {
            "get": {
                "operationId": "readyz",
                "summary": "Readiness: every dependency is usable",
                "responses": {
                    "200": _json_response("Ready", readiness),
                    "503": _json_response("Degraded, with the reason", readiness),
                    "default": _json_response("Error", error),
                },
            }
        },
    }


def build_openapi(
    *,
    title: str,
    version: str,
    description: str | None,
    routes: Sequence[Route[C]],
    auth: Auth | None = None,
) -> JsonObject:
    """The OpenAPI 3.1 document for `routes` plus `/healthz` and `/readyz`."""
    components = _Components()
    error = components.ref(ErrorBody, "serialization")
    paths = _health_paths(components, error)
    for each in routes:
        item = paths.setdefault(openapi_path(each.path), {})
        item[each.method.lower()] = _operation(components, each, error, auth)
    documented: JsonObject = dict(paths.items())
    info: JsonObject = {"title": title, "version": version}
    if description is not None:
        info["description"] = description
    shared: JsonObject = {"schemas": components.schemas}
    if isinstance(auth, ApiKeys):
        shared["securitySchemes"] = {
            SECURITY_SCHEME: {"type": "apiKey", "in": "header", "name": auth.header}
        }
    return {"openapi": OPENAPI_VERSION, "info": info, "paths": documented, "components": shared}


def openapi_json(document: JsonObject) -> bytes:
    """The document as compact UTF-8 JSON."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
