"""The request body rules: the original's messages, order and defaults, plus the fixes."""

import json

import pytest
from pydantic import JsonValue, ValidationError

from qr_api.errors import QrInputError
from qr_api.request import (
    MSG_BORDER,
    MSG_BOX_SIZE,
    MSG_COLOR,
    MSG_ECC,
    MSG_INVALID_BODY,
    MSG_INVALID_JSON,
    MSG_URL_REQUIRED,
    QrOptions,
    QrSpec,
    parse_spec,
)
from qr_api.urls import MSG_URL_EMPTY, MSG_URL_HOST, MSG_URL_SCHEME, MSG_URL_TOO_LONG

DEFAULTS = QrOptions()


def body(**fields: JsonValue) -> bytes:
    return json.dumps(fields).encode("utf-8")


def error_of(raw: bytes, defaults: QrOptions = DEFAULTS) -> str:
    with pytest.raises(QrInputError) as caught:
        parse_spec(raw, defaults)
    return caught.value.message


def test_defaults_of_the_original() -> None:
    assert parse_spec(body(url="example.com"), DEFAULTS) == QrSpec(
        url="https://example.com",
        ecc="M",
        box_size=10,
        border=1,
        fill_color="#000000",
        back_color="#FFFFFF",
    )


def test_every_field_given() -> None:
    spec = parse_spec(
        body(
            url=" http://example.com/x ",
            ecc=" q ",
            box_size=20,
            border=10,
            fill_color=" #0f0 ",
            back_color="#AbCdEf",
            unknown="ignored",
        ),
        DEFAULTS,
    )
    assert spec == QrSpec(
        url="http://example.com/x",
        ecc="Q",
        box_size=20,
        border=10,
        fill_color="#0f0",
        back_color="#AbCdEf",
    )


def test_defaults_fill_in_what_the_client_leaves_out() -> None:
    defaults = QrOptions(ecc="H", box_size=12, border=3, fill_color="#123456", back_color="#FEFEFE")
    spec = parse_spec(
        body(url="example.com", ecc="", box_size=None, fill_color="  ", back_color=None),
        defaults,
    )
    assert (spec.ecc, spec.box_size, spec.border, spec.fill_color, spec.back_color) == (
        "H",
        12,
        3,
        "#123456",
        "#FEFEFE",
    )


@pytest.mark.parametrize("ecc", ["L", "m", " q ", "H\t"])
def test_ecc_levels(ecc: str) -> None:
    assert parse_spec(body(url="example.com", ecc=ecc), DEFAULTS).ecc == ecc.strip().upper()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 5), (20, 20), ("12", 12), (" 7 ", 7), ("+8", 8), ("0009", 9), ("-0", None)],
)
def test_box_size_values(value: JsonValue, expected: int | None) -> None:
    raw = body(url="example.com", box_size=value)
    if expected is None:
        assert error_of(raw) == MSG_BOX_SIZE
    else:
        assert parse_spec(raw, DEFAULTS).box_size == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(1, 1), (10, 10), ("4", 4), (" +2", 2), ("0" * 5000 + "1", 1)]
)
def test_border_values(value: JsonValue, expected: int) -> None:
    assert parse_spec(body(url="example.com", border=value), DEFAULTS).border == expected


# Fixed (500 in the original): floats, booleans and non-numbers; also other JSON types.
NOT_INTEGERS: list[JsonValue] = [
    10.0,
    7.5,
    "10.0",
    "1e1",
    True,
    False,
    "true",
    "abc",
    "",
    "  ",
    "1_0",
    "\uff11\uff12",
    "0x10",
    [10],
    {"value": 10},
]


@pytest.mark.parametrize(
    "value",
    [*NOT_INTEGERS, 4, 21, -10, 0, 10**30, "1", "21", "-5", "1000000000000", "0" * 5000 + "1"],
)
def test_bad_box_size(value: JsonValue) -> None:
    assert error_of(body(url="example.com", box_size=value)) == MSG_BOX_SIZE


@pytest.mark.parametrize("value", [*NOT_INTEGERS, 0, 11, -1, "0", "11", "0" * 5000 + "11"])
def test_bad_border(value: JsonValue) -> None:
    assert error_of(body(url="example.com", border=value)) == MSG_BORDER


@pytest.mark.parametrize("value", ["Z", "LM", "medium", "m q", 1, True, ["M"], {"level": "M"}])
def test_bad_ecc(value: JsonValue) -> None:
    assert error_of(body(url="example.com", ecc=value)) == MSG_ECC


@pytest.mark.parametrize(
    "value",
    [
        "red",
        "#12",
        "#1234",
        "#12345",
        "#1234567",
        "#GGG",
        "123456",
        "##123",
        "#fff\n#000",
        0,
        [],
        {},
    ],
)
@pytest.mark.parametrize("field", ["fill_color", "back_color"])
def test_bad_colors(field: str, value: JsonValue) -> None:
    assert error_of(body(url="example.com", **{field: value})) == MSG_COLOR


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", MSG_INVALID_JSON),
        (b"   ", MSG_INVALID_JSON),
        (b"{", MSG_INVALID_JSON),
        (b'{"url": "example.com",}', MSG_INVALID_JSON),
        (b'{"url": "example.com"} trailing', MSG_INVALID_JSON),
        (b"\xef\xbb\xbf{}", MSG_INVALID_JSON),
        # Fixed: a body that is not UTF-8 was a 500.
        (b'{"url": "\xff"}', MSG_INVALID_JSON),
        (b"\xff\xfe{\x00}\x00", MSG_INVALID_JSON),
        (b'{"url": "\\ud800"}', MSG_INVALID_JSON),
        (b"[" * 10000 + b"]" * 10000, MSG_INVALID_JSON),
        (b'{"box_size": ' + b"9" * 5000 + b"}", MSG_INVALID_JSON),
        (b"[]", MSG_INVALID_BODY),
        (b'["url"]', MSG_INVALID_BODY),
        (b'"example.com"', MSG_INVALID_BODY),
        (b"42", MSG_INVALID_BODY),
        (b"null", MSG_INVALID_BODY),
        (b"true", MSG_INVALID_BODY),
        (b"{}", MSG_URL_REQUIRED),
        (b'{"url": null}', MSG_URL_REQUIRED),
        (b'{"url": 42}', MSG_URL_REQUIRED),
        (b'{"url": ["example.com"]}', MSG_URL_REQUIRED),
        (b'{"URL": "example.com"}', MSG_URL_REQUIRED),
        (b'{"url": "  "}', MSG_URL_EMPTY),
        (b'{"url": "ftp://example.com"}', MSG_URL_SCHEME),
        (b'{"url": "bad host"}', MSG_URL_HOST),
        (body(url="example.com/" + "a" * 2000), MSG_URL_TOO_LONG),
    ],
)
def test_body_mistakes(raw: bytes, message: str) -> None:
    assert error_of(raw) == message


def test_fields_are_checked_in_the_original_order() -> None:
    everything_wrong: dict[str, JsonValue] = {
        "url": "ftp://x",
        "ecc": "Z",
        "box_size": 1,
        "border": 0,
        "fill_color": "red",
        "back_color": "blue",
    }
    expected = [MSG_URL_SCHEME, MSG_ECC, MSG_BOX_SIZE, MSG_BORDER, MSG_COLOR, MSG_COLOR]
    fixes: dict[str, JsonValue] = {
        "url": "example.com",
        "ecc": "L",
        "box_size": 5,
        "border": 1,
        "fill_color": "#000",
    }
    for field, message in zip([*fixes, "back_color"], expected, strict=True):
        assert error_of(json.dumps(everything_wrong).encode()) == message
        everything_wrong[field] = fixes.get(field, "#fff")
    assert parse_spec(json.dumps(everything_wrong).encode(), DEFAULTS).back_color == "#fff"


def test_nan_sizes_are_mistakes() -> None:
    assert error_of(b'{"url": "example.com", "box_size": NaN}') == MSG_BOX_SIZE


def test_options_model_enforces_the_rules() -> None:
    with pytest.raises(ValidationError):
        QrOptions(box_size=4)
    with pytest.raises(ValidationError):
        QrOptions(fill_color="red")
