"""Drawing a checked request as PNG or SVG bytes with segno (CPU work: run it in a pool).

Always a regular QR code (fixed: the original let segno pick a Micro QR code for short
URLs, which phone cameras and zbar cannot read). The requested error correction is the
minimum: segno raises it when that fits in the same version, as the original did. A
URL that fits in no QR version at the requested level is a client mistake.
"""

import io
from typing import Final, Literal, Protocol

import segno

from qr_api.errors import QrInputError
from qr_api.request import QrSpec

ImageKind = Literal["png", "svg"]
MEDIA_TYPES: Final[dict[ImageKind, str]] = {"png": "image/png", "svg": "image/svg+xml"}


class _Save(Protocol):
    """The part of `segno.QRCode.save` used here, typed (segno's own stub takes `**Any`)."""

    def __call__(
        self,
        out: io.BytesIO,
        *,
        kind: str,
        scale: int,
        border: int,
        dark: str,
        light: str,
    ) -> None: ...


def capacity_message(ecc: str) -> str:
    """The message for a URL too long for any QR code at error correction `ecc`."""
    return f"URL is too long for a QR code with error correction {ecc}"


def render(spec: QrSpec, kind: ImageKind) -> bytes:
    """The image of `spec` as `kind`; the same spec always gives the same bytes."""
    try:
        code = segno.make(spec.url, error=spec.ecc, micro=False)
    except segno.DataOverflowError as exc:
        raise QrInputError(capacity_message(spec.ecc)) from exc
    save: _Save = code.save
    out = io.BytesIO()
    save(
        out,
        kind=kind,
        scale=spec.box_size,
        border=spec.border,
        dark=spec.fill_color,
        light=spec.back_color,
    )
    return out.getvalue()
