"""The decoder harness itself: it accepts right images and names what is wrong."""

import io

import pytest
import segno
from PIL import Image

from qr_api_testing.reader import QrImageError, QrReader, rgb

CODE = segno.make("https://example.com/r", error="h", micro=False)
MODULES = 29  # version 3


def code_image(kind: str, **options: str | int) -> bytes:
    out = io.BytesIO()
    CODE.save(out, kind=kind, **options)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_rgb() -> None:
    assert rgb("#0f8") == (0, 255, 136)
    assert rgb("#0A0b0C") == (10, 11, 12)


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_reads_a_good_image(kind: str) -> None:
    data = code_image(kind, scale=4, border=2, dark="#102030", light="#f0e0d0")
    reading = QrReader().read(data, kind=kind, box_size=4, border=2, fill="#102030", back="#f0e0d0")
    assert (reading.text, reading.ecc, reading.modules) == ("https://example.com/r", "H", MODULES)


@pytest.mark.parametrize(
    ("data", "kind", "problem"),
    [
        (b"GIF89a", "png", "not a PNG image"),
        (b"<svg/>", "svg", "not an SVG document"),
        (code_image("png", scale=4, border=1), "png", "colours"),
        (code_image("png", scale=10, border=1, dark="#000", light="#fff"), "png", "colours"),
    ],
)
def test_rejects(data: bytes, kind: str, problem: str) -> None:
    with pytest.raises(QrImageError, match=problem):
        QrReader().read(data, kind=kind, box_size=4, border=1, fill="#123", back="#fff")


def test_rejects_the_wrong_module_size() -> None:
    data = code_image("png", scale=10, border=1)
    with pytest.raises(QrImageError, match="310x310 image is not a QR code of 7px modules"):
        QrReader().read(data, box_size=7)


def test_rejects_a_missing_quiet_zone() -> None:
    data = code_image("png", scale=10, border=0)
    with pytest.raises(QrImageError, match="quiet zone"):
        QrReader().read(data, box_size=10, border=2)


def test_rejects_too_many_colours() -> None:
    image = Image.new("RGB", (230, 230), (255, 255, 255))
    for shade in range(5):
        image.putpixel((shade, 100), (shade, shade, shade))
    with pytest.raises(QrImageError, match="None"):
        QrReader().read(png(image))


def test_rejects_an_image_without_a_code() -> None:
    image = Image.new("RGB", (230, 230), (255, 255, 255))
    image.paste((0, 0, 0), (50, 50, 150, 150))
    with pytest.raises(QrImageError, match="zbar found 0 QR codes"):
        QrReader().read(png(image))
