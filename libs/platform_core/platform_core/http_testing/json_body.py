"""Typed access to JSON response bodies in tests (no `Any` from `response.json()`)."""

import httpx
from pydantic import JsonValue, TypeAdapter

_OBJECT = TypeAdapter(dict[str, JsonValue])


def json_object(response: httpx.Response) -> dict[str, JsonValue]:
    """The response body as a JSON object (`ValueError` if it is not one)."""
    return _OBJECT.validate_json(response.content)


def json_at(value: JsonValue, *path: str) -> JsonValue:
    """The value at `path` inside nested JSON objects (`KeyError` or `TypeError` if absent)."""
    for key in path:
        if not isinstance(value, dict):
            raise TypeError(f"expected a JSON object at {key!r}, got {type(value).__name__}")
        value = value[key]
    return value
