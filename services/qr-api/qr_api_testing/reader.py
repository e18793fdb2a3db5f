"""`QrReader`: proves a PNG or SVG QR image is right by decoding it with zbar.

An image passes when it uses exactly the requested two colours, is square with a whole
number of modules of `box_size` pixels and a quiet zone of `border` modules, carries
an error correction level in its format information, and zbar (through pyzbar)
decodes exactly one QR code from it. SVG is rasterised with resvg first. The reading
gives the decoded text, the level and the module count for the test to compare.
"""

import io
from dataclasses import dataclass
from typing import Final, Protocol, TypeGuard

import resvg_py
from PIL import Image

from platform_core.checked import module_attribute

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
SVG_PROLOGUE: Final = b"<?xml"

_ECC_BITS: Final = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}
_FORMAT_MASK: Final = 0b101010000010010
# The first copy of the 15 format bits, most significant first, as (row, column).
_FORMAT_CELLS: Final = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [
    (r, 8) for r in (7, 5, 4, 3, 2, 1, 0)
]


class QrImageError(AssertionError):
    """The image is not the QR code the test asked for."""


class _Symbol(Protocol):
    @property
    def data(self) -> bytes: ...

    @property
    def type(self) -> str: ...


class _Decode(Protocol):
    def __call__(self, image: Image.Image) -> list[_Symbol]: ...


def _is_decode(value: object) -> TypeGuard[_Decode]:
    return callable(value)


_decode = module_attribute("pyzbar.pyzbar", "decode", _is_decode)


@dataclass(frozen=True)
class Reading:
    """What a QR image says: its text, error correction level and module count."""

    text: str
    ecc: str
    modules: int


def rgb(color: str) -> tuple[int, int, int]:
    """`#RGB` or `#RRGGBB` as an RGB triple."""
    digits = color.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _colors(image: Image.Image) -> set[object]:
    """The colours of `image`, or `{None}` when it has more than four."""
    counts = image.getcolors(maxcolors=4)
    return {None} if counts is None else {color for _, color in counts}


def _check(condition: bool, problem: str) -> None:
    if not condition:
        raise QrImageError(problem)


class QrReader:
    """Checks and decodes the QR images the service returns."""

    def rasterise(self, data: bytes, kind: str) -> Image.Image:
        """The image as RGB pixels; SVG is drawn by resvg."""
        if kind == "svg":
            _check(data.startswith(SVG_PROLOGUE), "not an SVG document")
            data = resvg_py.svg_to_bytes(svg_string=data.decode("utf-8"))
        else:
            _check(data.startswith(PNG_SIGNATURE), "not a PNG image")
        return Image.open(io.BytesIO(data)).convert("RGB")

    def read(
        self,
        data: bytes,
        *,
        kind: str = "png",
        box_size: int = 10,
        border: int = 1,
        fill: str = "#000000",
        back: str = "#FFFFFF",
    ) -> Reading:
        """Check `data` against the drawing options, then decode it."""
        image = self.rasterise(data, kind)
        dark, light = rgb(fill), rgb(back)
        _check(_colors(image) == {dark, light}, f"colours {_colors(image)} != {{{dark}, {light}}}")
        width, height = image.size
        modules = width // box_size - 2 * border
        _check(
            width == height and width % box_size == 0 and modules >= 21 and modules % 4 == 1,
            f"a {width}x{height} image is not a QR code of {box_size}px modules",
        )
        quiet = image.crop((0, 0, width, border * box_size))
        _check(_colors(quiet) == {light}, "the quiet zone is not the background colour")
        raw = image.tobytes()
        dark_bytes = bytes(dark)
        mono = Image.frombytes(
            "L",
            image.size,
            bytes(0 if raw[i : i + 3] == dark_bytes else 255 for i in range(0, len(raw), 3)),
        )
        symbols = _decode(mono)
        _check([s.type for s in symbols] == ["QRCODE"], f"zbar found {len(symbols)} QR codes")
        return Reading(
            text=symbols[0].data.decode("utf-8"),
            ecc=self._ecc(mono, box_size, border),
            modules=modules,
        )

    def _ecc(self, mono: Image.Image, box_size: int, border: int) -> str:
        bits = 0
        for row, col in _FORMAT_CELLS:
            x = (border + col) * box_size + box_size // 2
            y = (border + row) * box_size + box_size // 2
            bits = (bits << 1) | (1 if mono.getpixel((x, y)) == 0 else 0)
        return _ECC_BITS[(bits ^ _FORMAT_MASK) >> 13]
