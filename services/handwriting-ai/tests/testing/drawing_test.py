"""The drawn digits and manifests of the test support."""

import io

from PIL import Image

from handwriting_ai_testing import draw_digit, manifest_dict, manifest_json


def test_drawn_digits() -> None:
    for digit in ("0", "1", "7"):
        image = Image.open(io.BytesIO(draw_digit(digit)))
        assert image.format == "PNG"
        assert image.getpixel((0, 0)) == 255
        assert image.getextrema() == (0, 255)
    dark = Image.open(io.BytesIO(draw_digit("1", dark_background=True, size=40, mode="RGB")))
    assert dark.mode == "RGB"
    assert dark.getpixel((0, 0)) == (0, 0, 0)
    jpeg = Image.open(io.BytesIO(draw_digit(image_format="JPEG")))
    assert jpeg.format == "JPEG"


def test_manifests() -> None:
    assert manifest_dict("x", val_acc=0.5)["val_acc"] == 0.5
    assert b'"model_id": "y"' in manifest_json("y")
