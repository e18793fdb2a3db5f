"""The drawn digits and manifests of the test support."""

import hashlib
import io
import pathlib

from PIL import Image

from handwriting_ai_testing import (
    KEY,
    FakeDataBank,
    draw_digit,
    make_settings,
    manifest_dict,
    manifest_json,
)
from platform_core.http_testing import app_client, json_object


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


async def test_fake_data_bank_stores_by_sha256() -> None:
    bank = FakeDataBank()
    async with app_client(bank.app, run_lifespan=False) as client:
        refused = await client.post("/files", files={"file": ("a", b"x")})
        assert refused.status_code == 401
        stored = await client.post(
            "/files", files={"file": ("a", b"hello")}, headers={"X-API-Key": "bank-key"}
        )
    digest = hashlib.sha256(b"hello").hexdigest()
    assert stored.status_code == 200
    assert json_object(stored)["file_id"] == digest
    assert bank.files == {digest: b"hello"}


def test_settings(tmp_path: pathlib.Path) -> None:
    settings = make_settings(tmp_path, "redis://127.0.0.1:1", DIGITS__TTA="true")
    assert settings.tta
    assert settings.model_dir == tmp_path / "models"
    assert {"X-API-Key": settings.api_key} == KEY
