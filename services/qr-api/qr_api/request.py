"""The `POST /v1/qr` body: parsing, the original's rules and messages, and defaults.

Fields are checked in the original's order (url, ecc, box_size, border, fill_color,
back_color) and the first mistake is the answer. Every client mistake is a
`QrInputError`; the original's bugs are fixed: a body that is not UTF-8, a float, a
boolean or a non-numeric string for a size were 500s there and are 400s here, and a
value of the wrong JSON type (a number for `ecc`, a list for `box_size`, ...) is a 400
with the field's message instead of silently taking the default. JSON `null` and, for
`ecc` and the colours, a blank string mean "use the default", as in the original.
"""

import re
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, TypeAdapter, ValidationError

from qr_api.errors import QrInputError
from qr_api.urls import normalise_url

Ecc = Literal["L", "M", "Q", "H"]
ECC_LEVELS: Final[tuple[Ecc, ...]] = ("L", "M", "Q", "H")

BOX_SIZE_MIN, BOX_SIZE_MAX = 5, 20
BORDER_MIN, BORDER_MAX = 1, 10

MSG_INVALID_JSON = "Invalid JSON body"
MSG_INVALID_BODY = "Invalid request body"
MSG_URL_REQUIRED = "Field 'url' is required"
MSG_ECC = "Invalid error correction. Choose L, M, Q, H"
MSG_BOX_SIZE = f"box_size must be between {BOX_SIZE_MIN} and {BOX_SIZE_MAX}"
MSG_BORDER = f"border must be between {BORDER_MIN} and {BORDER_MAX}"
MSG_COLOR = "Invalid color format. Use hex codes (e.g., #FF0000 or #F00)"

_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}", re.ASCII)
# An optional sign, leading zeros, then at most 9 significant digits: longer numbers are
# out of every range, so they fail with the range message without converting them.
_INTEGER = re.compile(r"([+-]?)0*([0-9]{1,9})", re.ASCII)
_JSON: Final = TypeAdapter[JsonValue](JsonValue)

BoxSize = Annotated[int, Field(ge=BOX_SIZE_MIN, le=BOX_SIZE_MAX)]
Border = Annotated[int, Field(ge=BORDER_MIN, le=BORDER_MAX)]
Color = Annotated[str, Field(pattern=_COLOR.pattern)]


class QrOptions(BaseModel):
    """How to draw a code: everything but the URL (the defaults, or a request's choice)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ecc: Ecc = "M"
    box_size: BoxSize = 10
    border: Border = 1
    fill_color: Color = "#000000"
    back_color: Color = "#FFFFFF"


class QrSpec(QrOptions):
    """A valid request: the normalised URL and how to draw it."""

    url: Annotated[str, Field(min_length=1)]


class QrRequestDocument(BaseModel):
    """The `POST /v1/qr` body as the OpenAPI document shows it.

    Documentation only: `parse_spec` reads the body itself, in the original's order and
    with its messages (see the module docstring), which a schema cannot express.
    """

    url: str = Field(description="the URL to encode; https:// is prepended when it has no scheme")
    ecc: str | None = Field(default=None, description="L, M, Q or H (trimmed, any case)")
    box_size: int | str | None = Field(
        default=None, description=f"{BOX_SIZE_MIN}-{BOX_SIZE_MAX}, or a string of digits"
    )
    border: int | str | None = Field(
        default=None, description=f"{BORDER_MIN}-{BORDER_MAX}, or a string of digits"
    )
    fill_color: str | None = Field(default=None, description="#RGB or #RRGGBB")
    back_color: str | None = Field(default=None, description="#RGB or #RRGGBB")


def parse_body(body: bytes) -> dict[str, JsonValue]:
    """The request's JSON object; malformed, non-UTF-8 or non-object bodies are mistakes."""
    try:
        value = _JSON.validate_json(body)
    except ValidationError as exc:
        raise QrInputError(MSG_INVALID_JSON) from exc
    if not isinstance(value, dict):
        raise QrInputError(MSG_INVALID_BODY)
    return value


def parse_spec(body: bytes, defaults: QrOptions) -> QrSpec:
    """Parse and check a request body; fields the client leaves out take `defaults`."""
    fields = parse_body(body)
    url = fields.get("url")
    if not isinstance(url, str):
        raise QrInputError(MSG_URL_REQUIRED)
    normalised = normalise_url(url)
    options = parse_options(fields, defaults)
    return QrSpec(
        url=normalised,
        ecc=options.ecc,
        box_size=options.box_size,
        border=options.border,
        fill_color=options.fill_color,
        back_color=options.back_color,
    )


def parse_options(fields: dict[str, JsonValue], defaults: QrOptions) -> QrOptions:
    """The drawing options in `fields` (raw JSON values) over `defaults`."""
    return QrOptions(
        ecc=parse_ecc(fields.get("ecc"), defaults.ecc),
        box_size=parse_int(
            fields.get("box_size"), defaults.box_size, BOX_SIZE_MIN, BOX_SIZE_MAX, MSG_BOX_SIZE
        ),
        border=parse_int(fields.get("border"), defaults.border, BORDER_MIN, BORDER_MAX, MSG_BORDER),
        fill_color=parse_color(fields.get("fill_color"), defaults.fill_color),
        back_color=parse_color(fields.get("back_color"), defaults.back_color),
    )


def parse_ecc(value: JsonValue, default: Ecc) -> Ecc:
    """`L`, `M`, `Q` or `H`, trimmed and case-insensitive; null or blank is `default`."""
    if value is None:
        return default
    if not isinstance(value, str):
        raise QrInputError(MSG_ECC)
    text = value.strip().upper()
    if not text:
        return default
    for level in ECC_LEVELS:
        if text == level:
            return level
    raise QrInputError(MSG_ECC)


def parse_int(value: JsonValue, default: int, low: int, high: int, message: str) -> int:
    """A JSON integer or a string of decimal digits within [low, high]; null is `default`.

    Floats (even `10.0`), booleans, other strings and other JSON types are mistakes.
    """
    if value is None:
        return default
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        match = _INTEGER.fullmatch(value.strip())
        if match is not None:
            sign: str = match.group(1)
            digits: str = match.group(2)
            number = int(sign + digits)
    if number is None or not low <= number <= high:
        raise QrInputError(message)
    return number


def parse_color(value: JsonValue, default: str) -> str:
    """A hex colour `#RGB` or `#RRGGBB` (trimmed); null or blank is `default`."""
    if value is None:
        return default
    if not isinstance(value, str):
        raise QrInputError(MSG_COLOR)
    text = value.strip()
    if not text:
        return default
    if _COLOR.fullmatch(text) is None:
        raise QrInputError(MSG_COLOR)
    return text
