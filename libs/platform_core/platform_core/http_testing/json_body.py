"""Typed access to JSON response bodies in tests (no `Any` from `response.json()`)."""

import httpx
from pydantic import JsonValue, TypeAdapter

_OBJECT = TypeAdapter(dict[str, JsonValue])


def json_object(response: httpx.Response) -> dict[str, JsonValue]:
    """The response body as a JSON object (`ValueError` if it is not one)."""
    return _OBJECT.validate_json(response.content)
