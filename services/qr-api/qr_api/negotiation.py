"""Choosing PNG or SVG from the request's `Accept` header.

PNG is the default, as in the original (which ignored `Accept`): a request gets SVG
only when its `Accept` header ranks `image/svg+xml` strictly above `image/png`, using
the most specific matching media range (`image/svg+xml` over `image/*` over `*/*`) and
its `q` value. A request that accepts neither still gets PNG rather than a 406, so
clients that send `Accept: application/json` keep working. A `q` that is not a valid
quality value (0 to 1, at most three decimals) is a client mistake.
"""

import re

from qr_api.errors import QrInputError
from qr_api.render import ImageKind

MSG_ACCEPT = "Invalid Accept header"

_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?", re.ASCII)
_TARGETS: dict[ImageKind, tuple[str, str]] = {"png": ("image", "png"), "svg": ("image", "svg+xml")}


def choose_kind(accept: str | None) -> ImageKind:
    """`svg` when `accept` prefers `image/svg+xml` to `image/png`, else `png`."""
    if accept is None:
        return "png"
    ranges = [_parse_range(item) for item in accept.split(",") if item.strip()]
    svg = _quality(ranges, _TARGETS["svg"])
    png = _quality(ranges, _TARGETS["png"])
    return "svg" if svg > png else "png"


def _parse_range(item: str) -> tuple[str, str, float]:
    media, *params = (part.strip() for part in item.split(";"))
    kind, _, subtype = media.lower().partition("/")
    quality = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            text = value.strip()
            if _QVALUE.fullmatch(text) is None:
                raise QrInputError(MSG_ACCEPT)
            quality = float(text)
    return kind, subtype, quality


def _quality(ranges: list[tuple[str, str, float]], target: tuple[str, str]) -> float:
    best_specificity = -1
    quality = 0.0
    for kind, subtype, q in ranges:
        specificity = _specificity(kind, subtype, target)
        if specificity > best_specificity:
            best_specificity, quality = specificity, q
    return quality


def _specificity(kind: str, subtype: str, target: tuple[str, str]) -> int:
    if (kind, subtype) == target:
        return 2
    if kind == target[0] and subtype == "*":
        return 1
    if (kind, subtype) == ("*", "*"):
        return 0
    return -1
