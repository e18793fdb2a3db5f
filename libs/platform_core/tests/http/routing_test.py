"""Route declarations that cannot work are refused before anything runs."""

import pytest
from kit_example import Ctx, Item, ItemPath, example_routes, read_item

from platform_core.config import ServiceSettings
from platform_core.http import Call, Route, create_app, delete, get, route, settings_only
from platform_core.http.routing import check_routes, path_params


async def plain(call: Call[Ctx]) -> Item:
    """A route without parts."""
    return Item(id="1", name="", qty=1, tags=[])


def test_path_must_be_absolute() -> None:
    with pytest.raises(ValueError, match="must start with '/': 'items'"):
        route("GET", "items")


def test_raw_responses_need_a_media_type() -> None:
    with pytest.raises(ValueError, match="GET /x: returns_raw needs a media type"):
        get("/x").returns_raw()


def test_duplicate_routes() -> None:
    routes: list[Route[Ctx]] = [
        get("/items/{item_id}").path(ItemPath).returns(Item).to(read_item),
        get("/items/{item_id:str}").path(ItemPath).returns(Item).to(read_item, name="again"),
    ]
    with pytest.raises(ValueError, match=r"route GET /items/\{item_id:str\} is declared twice"):
        check_routes(routes)


def test_one_path_is_spelled_one_way() -> None:
    routes: list[Route[Ctx]] = [
        get("/items/{item_id}").path(ItemPath).returns(Item).to(read_item),
        delete("/items/{item_id:str}").path(ItemPath).returns(Item).to(read_item, name="gone"),
    ]
    with pytest.raises(
        ValueError,
        match=r"route DELETE /items/\{item_id:str\}: GET /items/\{item_id\} declares the same "
        "path with other parameter names or types",
    ):
        check_routes(routes)
    renamed: list[Route[Ctx]] = [
        get("/items/{item_id}").path(ItemPath).returns(Item).to(read_item),
        get("/items/{id}").returns(Item).to(plain),
    ]
    with pytest.raises(ValueError, match=r"route GET /items/\{id\} is declared twice"):
        check_routes(renamed)


def test_duplicate_names() -> None:
    routes: list[Route[Ctx]] = [
        get("/a").returns(Item).to(plain),
        delete("/a").returns(Item).to(plain),
    ]
    with pytest.raises(ValueError, match="route name 'plain' is used twice"):
        check_routes(routes)


def test_path_model_must_match_the_path() -> None:
    missing: list[Route[Ctx]] = [get("/items/{item_id}").returns(Item).to(plain)]
    with pytest.raises(ValueError, match=r"path parameters \['item_id'\] but the path model"):
        check_routes(missing)
    extra: list[Route[Ctx]] = [get("/items").path(ItemPath).returns(Item).to(read_item)]
    with pytest.raises(ValueError, match=r"path parameters \[\] but the path model declares"):
        check_routes(extra)


async def settings_plain(call: Call[ServiceSettings]) -> Item:
    """A route of a service whose context is its settings."""
    return Item(id="1", name="", qty=1, tags=[])


def test_create_app_checks_the_routes() -> None:
    routes = [
        get("/a").returns(Item).to(settings_plain),
        get("/a").returns(Item).to(settings_plain, name="b"),
    ]
    with pytest.raises(ValueError, match="declared twice"):
        create_app(
            service="bad", settings=ServiceSettings(), resources=settings_only, routes=routes
        )


def test_path_params() -> None:
    assert path_params("/a/{x}/b/{y:int}/{z_1:path}") == ("x", "y", "z_1")
    assert path_params("/plain") == ()


def test_the_example_declarations_are_consistent() -> None:
    routes = example_routes()
    check_routes(routes)
    by_name = {each.name: each for each in routes}
    assert by_name["create_item"].method == "POST"
    assert by_name["create_item"].body.max_bytes == 1024 * 1024
    assert by_name["upload"].body.kind == "stream"
    assert by_name["upload"].body.max_bytes == 64
    assert by_name["list_items"].query is not None
    assert by_name["image"].response.media_types == ("image/png",)
    assert by_name["delete_item"].response.status == 204
    assert "invoke" not in repr(by_name["image"])


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json"])
def test_paths_the_kit_answers_are_refused(path: str) -> None:
    routes = [get(path).returns(Item).to(settings_plain)]
    with pytest.raises(ValueError, match=f"route GET {path}: the kit answers this path itself"):
        create_app(
            service="bad", settings=ServiceSettings(), resources=settings_only, routes=routes
        )
