"""The OpenAPI 3.1 document: valid, and built from the route models."""

from collections.abc import Mapping
from typing import Protocol

import openapi_spec_validator
import pytest
from kit_example import Item, example_routes
from pydantic import BaseModel, JsonValue
from starlette.applications import Starlette

from platform_core.config import ServiceSettings
from platform_core.http import Call, create_app, get, post, settings_only
from platform_core.http.openapi import build_openapi, openapi_path
from platform_core.http_testing import app_client, json_at, json_object


class _Validate(Protocol):
    def __call__(self, spec: Mapping[str, JsonValue]) -> None: ...


# openapi-spec-validator's own signature is untyped; this is how the tests call it.
validate: _Validate = openapi_spec_validator.validate


async def document(app: Starlette) -> dict[str, JsonValue]:
    """The app's /openapi.json."""
    async with app_client(app) as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    return json_object(response)


def obj(value: JsonValue) -> dict[str, JsonValue]:
    """`value`, which must be a JSON object."""
    assert isinstance(value, dict)
    return value


async def test_the_example_document_is_valid_openapi_3_1(example: Starlette) -> None:
    spec = await document(example)
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    assert spec["info"] == {
        "title": "example-api",
        "version": "2.0.0",
        "description": "The kit's example service.",
    }


async def test_paths_and_operations(example: Starlette) -> None:
    spec = await document(example)
    paths = obj(spec["paths"])
    assert "/numbers/{n}" in paths
    assert set(obj(paths["/items/{item_id}"])) == {"get", "head", "delete"}
    create = obj(json_at(spec, "paths", "/items", "post"))
    assert create["operationId"] == "create_item"
    assert create["summary"] == "Create an item."
    assert create["description"] == "The id is the item's position."
    assert json_at(create, "requestBody") == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewItem"}}},
    }
    responses = obj(create["responses"])
    assert set(responses) == {"201", "default"}
    assert json_at(responses, "201", "content", "application/json", "schema") == {
        "$ref": "#/components/schemas/Item"
    }
    assert json_at(responses, "default", "content", "application/json", "schema") == {
        "$ref": "#/components/schemas/ErrorBody"
    }


async def test_parameters(example: Starlette) -> None:
    spec = await document(example)
    listing = obj(json_at(spec, "paths", "/items", "get"))
    parameters = listing["parameters"]
    assert isinstance(parameters, list)
    by_name = {str(obj(p)["name"]): obj(p) for p in parameters}
    assert set(by_name) == {"limit", "tag", "prefix"}
    assert by_name["limit"]["in"] == "query"
    assert by_name["limit"]["required"] is False
    assert by_name["limit"]["description"] == "how many to return"
    assert json_at(by_name["limit"], "schema", "maximum") == 100
    read = obj(json_at(spec, "paths", "/items/{item_id}", "get"))
    assert read["parameters"] == [
        {
            "name": "item_id",
            "in": "path",
            "required": True,
            "schema": {
                "description": "the item's id",
                "pattern": "^[a-z0-9-]{1,12}$",
                "title": "Item Id",
                "type": "string",
            },
            "description": "the item's id",
        }
    ]
    assert "parameters" not in obj(json_at(spec, "paths", "/echo", "get"))


async def test_other_bodies_and_responses(example: Starlette) -> None:
    spec = await document(example)
    upload = obj(json_at(spec, "paths", "/upload", "post"))
    assert json_at(upload, "requestBody", "content") == {"application/octet-stream": {}}
    image = obj(json_at(spec, "paths", "/image", "get"))
    assert json_at(image, "responses", "200") == {
        "description": "A PNG",
        "content": {"image/png": {}},
    }
    removal = obj(json_at(spec, "paths", "/items/{item_id}", "delete"))
    assert json_at(removal, "responses", "204") == {"description": "No content"}
    echo = obj(json_at(spec, "paths", "/raw-echo", "put"))
    assert "summary" not in echo
    assert "description" not in echo
    assert json_at(echo, "requestBody") == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}},
    }
    assert json_at(echo, "responses") == {
        "200": {"description": "Success", "content": {"application/octet-stream": {}}},
        "206": {"description": "A part", "content": {"application/octet-stream": {}}},
        "304": {"description": "Not modified"},
        "default": json_at(upload, "responses", "default"),
    }
    assert list(obj(json_at(echo, "responses"))) == ["200", "206", "304", "default"]


async def test_schemas_are_shared_components(example: Starlette) -> None:
    spec = await document(example)
    schemas = obj(json_at(spec, "components", "schemas"))
    assert {"ErrorBody", "Item", "ItemList", "NewItem", "Liveness", "Readiness"} <= set(schemas)
    assert json_at(schemas, "ItemList", "properties", "items", "items") == {
        "$ref": "#/components/schemas/Item"
    }
    assert json_at(schemas, "ErrorBody", "required") == ["code", "message", "request_id"]


async def test_health_routes_are_documented(example: Starlette) -> None:
    spec = await document(example)
    ready = obj(json_at(spec, "paths", "/readyz", "get", "responses"))
    assert set(ready) == {"200", "503", "default"}
    assert json_at(spec, "paths", "/healthz", "get", "operationId") == "healthz"


async def ping(call: Call[ServiceSettings]) -> Item:
    """Answer with the configured port."""
    return Item(id=str(call.ctx.port), name="", qty=1, tags=[])


async def test_a_minimal_service() -> None:
    app = create_app(
        service="tiny",
        settings=ServiceSettings(),
        resources=settings_only,
        routes=[get("/ping").returns(Item).to(ping)],
    )
    spec = await document(app)
    validate(spec)
    assert spec["info"] == {"title": "tiny", "version": "1.0.0"}
    async with app_client(app) as client:
        assert json_object(await client.get("/ping"))["id"] == "8000"
        assert json_object(await client.get("/readyz")) == {"status": "ready", "reason": None}


def other_item_model() -> type[BaseModel]:
    """A different model that is also named `Item`."""

    class Item(BaseModel):
        """Not the example's Item."""

        other: str

    return Item


async def store(call: Call[ServiceSettings, BaseModel]) -> Item:
    """Store something."""
    return Item(id="1", name="", qty=1, tags=[])


def test_two_models_with_one_name_are_refused() -> None:
    routes = [
        get("/ping").returns(Item).to(ping),
        post("/store").body(other_item_model()).returns(Item).to(store),
    ]
    with pytest.raises(ValueError, match="two different schemas are named 'Item'"):
        create_app(
            service="clash", settings=ServiceSettings(), resources=settings_only, routes=routes
        )


@pytest.mark.parametrize(
    ("template", "path"),
    [("/a/{x}", "/a/{x}"), ("/a/{x:int}/b/{y:path}", "/a/{x}/b/{y}"), ("/plain", "/plain")],
)
def test_openapi_paths(template: str, path: str) -> None:
    assert openapi_path(template) == path


def test_build_openapi_directly() -> None:
    spec = build_openapi(title="t", version="0", description=None, routes=example_routes())
    validate(spec)
    assert obj(spec["info"]) == {"title": "t", "version": "0"}
