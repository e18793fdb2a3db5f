"""The preprocessing pipeline on drawn digits and on crafted images."""

import io

import pytest
import torch
from PIL import Image

from handwriting_ai.preprocess import (
    MEAN,
    SIDE,
    STD,
    Options,
    PreprocessError,
    center,
    deskew,
    histogram_median,
    largest_component_box,
    otsu_threshold,
    preprocess_image,
    preprocess_mnist,
    skew,
    to_grayscale,
)
from handwriting_ai_testing import draw_digit

BACKGROUND = (1 - MEAN) / STD
INK = -MEAN / STD


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_drawn_one_becomes_dark_ink_on_white_in_the_middle() -> None:
    result = preprocess_image(_open(draw_digit("1")), Options())
    x = result.tensor
    assert x.shape == (1, 1, SIDE, SIDE)
    assert x.dtype == torch.float32
    corners = torch.stack([x[0, 0, 0, 0], x[0, 0, -1, -1]])
    assert torch.allclose(corners, torch.full((2,), BACKGROUND), atol=1e-3)
    assert float(x[0, 0, 14, 14].item()) < 0.0  # ink in the middle
    assert result.visual_png is None


def test_polarity_does_not_matter() -> None:
    light = preprocess_image(_open(draw_digit("0")), Options()).tensor
    dark = preprocess_image(_open(draw_digit("0", dark_background=True)), Options()).tensor
    assert torch.allclose(light, dark, atol=1e-3)
    forced = preprocess_image(_open(draw_digit("0", dark_background=True)), Options(invert=False))
    assert not torch.allclose(forced.tensor, dark, atol=1e-3)


def test_colour_modes_and_jpeg() -> None:
    base = preprocess_image(_open(draw_digit("7")), Options()).tensor
    for mode in ("RGB", "RGBA", "P"):
        other = preprocess_image(_open(draw_digit("7", mode=mode)), Options()).tensor
        assert torch.allclose(base, other, atol=1e-3), mode
    jpeg = preprocess_image(
        _open(draw_digit("7", image_format="JPEG", mode="RGB")), Options()
    ).tensor
    assert float((jpeg - base).abs().mean().item()) < 0.3


def test_transparency_is_composited_on_white() -> None:
    image = Image.new("LA", (40, 40), (0, 0))  # fully transparent black
    for y in range(8, 32):
        image.putpixel((20, y), (0, 255))
    gray = to_grayscale(image)
    assert gray.mode == "L"
    assert gray.getpixel((0, 0)) == 255
    assert gray.getpixel((20, 20)) == 0


def test_visual_png_and_centering_option() -> None:
    result = preprocess_image(_open(draw_digit("1")), Options(visualize=True, center=False))
    assert result.visual_png is not None
    assert _open(result.visual_png).size == (SIDE * 4, SIDE * 4)


def test_all_black_has_no_component() -> None:
    with pytest.raises(PreprocessError, match="no connected component found"):
        preprocess_image(Image.new("L", (30, 30), 0), Options(invert=False))


def test_all_white_is_all_background() -> None:
    x = preprocess_image(Image.new("L", (30, 30), 255), Options()).tensor
    assert torch.allclose(x, torch.full_like(x, BACKGROUND), atol=1e-3)


def test_histogram_helpers() -> None:
    histogram = [0] * 256
    histogram[10] = 5
    histogram[200] = 4
    assert histogram_median(histogram) == 10
    assert 10 <= otsu_threshold(histogram) < 200


def test_largest_component() -> None:
    mask = torch.zeros(6, 8, dtype=torch.bool)
    mask[0, 0] = True  # one pixel
    mask[2:5, 3] = True  # a vertical bar joined below to a horizontal one
    mask[4, 3:7] = True
    mask[1, 6:8] = True  # a run that ends after the one below it starts
    assert largest_component_box(mask) == (3, 2, 7, 5)
    assert largest_component_box(torch.zeros(3, 3, dtype=torch.bool)) is None


def test_deskew_straightens_a_slanted_stroke() -> None:
    image = Image.new("L", (60, 60), 255)
    for y in range(10, 50):
        image.putpixel((20 + (y - 10) // 5, y), 0)
    angle, confidence = skew(image)
    assert 10 < abs(angle) < 12  # atan(1/5), more than the 10° clamp
    assert confidence > 0.9
    assert abs(skew(deskew(image))[0]) < abs(angle)


def test_skew_and_center_edge_cases() -> None:
    single = Image.new("L", (5, 5), 255)
    single.putpixel((2, 2), 0)
    assert skew(single) == (0.0, 0.0)
    upright = Image.new("L", (9, 9), 255)
    for y in range(9):
        upright.putpixel((4, y), 0)
    assert deskew(upright) is upright
    blank = Image.new("L", (9, 9), 255)
    assert center(blank).getextrema() == (255, 255)


def test_mnist_image_from_the_dataset_polarity() -> None:
    pixels = torch.zeros(SIDE, SIDE, dtype=torch.uint8)
    pixels[4:24, 13:15] = 255
    x = preprocess_mnist(pixels)
    assert x.shape == (1, SIDE, SIDE)
    assert float(x[0, 0, 0].item()) == pytest.approx(BACKGROUND, abs=1e-3)


def test_deskew_of_faint_ink_that_rotation_erases_keeps_the_whole_frame() -> None:
    image = Image.new("L", (12, 12), 255)
    image.putpixel((3, 2), 120)
    image.putpixel((5, 9), 120)
    rotated = deskew(image)
    assert rotated.getextrema() == (255, 255)
    assert rotated.size == (14, 14)
