"""The JSON helpers of the test support library."""

import pytest

from qr_api_testing.json_io import json_body, json_field, json_payload


def test_json_payload() -> None:
    assert (
        json_payload(url="x", box_size=5, ecc=None) == b'{"url": "x", "box_size": 5, "ecc": null}'
    )


def test_json_body_and_field() -> None:
    assert json_body(b'{"a": [1]}') == {"a": [1]}
    assert json_field(b'{"code": "X"}', "code") == "X"


def test_json_field_needs_an_object() -> None:
    with pytest.raises(TypeError, match="expected a JSON object, got list"):
        json_field(b"[]", "code")
    with pytest.raises(KeyError):
        json_field(b"{}", "code")
