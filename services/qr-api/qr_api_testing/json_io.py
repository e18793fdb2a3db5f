"""Typed JSON for tests: request bodies in, response bodies out (clients hand back Any)."""

import json


def json_payload(**fields: str | int | None) -> bytes:
    """A JSON object request body."""
    return json.dumps(fields).encode("utf-8")


def json_body(content: bytes) -> object:
    """The parsed JSON of a response body."""
    parsed: object = json.loads(content)
    return parsed


def json_field(content: bytes, name: str) -> object:
    """One member of a JSON object body; `KeyError` if absent, `TypeError` if not an object."""
    parsed = json_body(content)
    if not isinstance(parsed, dict):
        raise TypeError(f"expected a JSON object, got {type(parsed).__name__}")
    value: object = parsed[name]
    return value
