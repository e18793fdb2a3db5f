"""The original's preprocessing, step for step; training and inference both use it.

Signature `v1/grayscale+otsu+lcc+deskew{angle_conf}+center+resize28+mnistnorm` (a
manifest's `preprocess_hash` must equal it):

1. EXIF orientation applied; transparency composited on white; palette to RGB; to 8-bit
   grayscale.
2. Inverted when asked (`invert=True`), or, with `invert=None`, when the histogram's median
   is below 128 (a dark background, e.g. MNIST's white ink on black). The result is dark
   ink on a white background for both polarities.
3. Otsu's threshold: pixels above it white (255), the rest ink (0).
4. "LCC": the largest 4-connected component of white pixels, cropped to its bounding box
   (none: `PreprocessError` "no connected component found", e.g. an all-black image).
5. Deskew: the principal axis of the ink pixels; its tilt from the vertical is undone when
   at least 1° and the eigenvalue contrast (λmax-λmin)/(λmax+λmin) at least 0.02, clamped
   to ±10° (bicubic, expanded, white fill), then cropped to the ink.
6. Center (unless `center=False`; the original accepted the option and ignored it): the
   ink's centre of mass is placed at the centre of a white square with a 10% margin, which
   is then cropped to a square around the ink with 4 pixels of margin.
7. Bicubic resize to 28x28; each value v becomes (v/255 - 0.1307)/0.3081.

A `visual` PNG (the 28x28 result at 4x, nearest neighbour) is made on request.
"""

import bisect
import io
import itertools
import math
from dataclasses import dataclass

import torch
from PIL import Image, ImageOps

from handwriting_ai.tensors import gray_tensor, tensor_bytes, tensor_floats, tensor_ints

SIGNATURE = "v1/grayscale+otsu+lcc+deskew{angle_conf}+center+resize28+mnistnorm"
SIDE = 28
MEAN = 0.1307
STD = 0.3081
WHITE = 255
MIN_ANGLE_DEG = 1.0
MIN_CONFIDENCE = 0.02
MAX_ANGLE_DEG = 10.0
VISUAL_SCALE = 4


class PreprocessError(ValueError):
    """The image cannot be turned into a digit (the client's `preprocessing_failed`)."""


@dataclass(frozen=True, slots=True)
class Options:
    """`invert`: None decides from the image; `center`; `visualize`: make the PNG."""

    invert: bool | None = None
    center: bool = True
    visualize: bool = False


@dataclass(frozen=True, slots=True)
class Preprocessed:
    """The model input (1x1x28x28 float32) and, on request, the PNG of what it saw."""

    tensor: torch.Tensor
    visual_png: bytes | None


def to_grayscale(image: Image.Image) -> Image.Image:
    """Step 1: orientation, transparency on white, 8-bit grayscale."""
    image = ImageOps.exif_transpose(image)
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))
    return image.convert("L")


def histogram_median(histogram: list[int]) -> int:
    """The median bin of a 256-bin histogram."""
    cumulative = list(itertools.accumulate(histogram))
    return bisect.bisect_left(cumulative, cumulative[-1] / 2)


def otsu_threshold(histogram: list[int]) -> int:
    """The threshold maximising the between-class variance (pixels > t are one class)."""
    total = sum(histogram)
    weighted = sum(value * count for value, count in enumerate(histogram))
    best, best_t = -1.0, 0
    below = 0
    below_sum = 0
    for t, count in enumerate(histogram):
        below += count
        below_sum += t * count
        above = total - below
        if below == 0 or above == 0:
            continue
        mean_below = below_sum / below
        mean_above = (weighted - below_sum) / above
        between = below * above * (mean_below - mean_above) ** 2
        if between > best:
            best, best_t = between, t
    return best_t


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def largest_component_box(mask: torch.Tensor) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom), exclusive right/bottom, of the largest 4-connected
    component of True pixels; None when there are none.

    Works on horizontal runs (a union-find over runs that overlap in adjacent rows), so
    its cost follows the number of runs, not of pixels.
    """
    height = mask.shape[0]
    padded = torch.nn.functional.pad(mask.to(torch.int8), (1, 1))
    edges = padded[:, 1:] - padded[:, :-1]
    starts = tensor_ints(torch.nonzero(edges == 1))
    ends = tensor_ints(torch.nonzero(edges == -1))
    runs = [(starts[i], starts[i + 1], ends[i + 1]) for i in range(0, len(starts), 2)]
    if not runs:
        return None
    parent = list(range(len(runs)))
    by_row: list[list[int]] = [[] for _ in range(height)]
    for index, (row, _, _) in enumerate(runs):
        by_row[row].append(index)
    for row in range(1, height):
        above, here = by_row[row - 1], by_row[row]
        i = j = 0
        while i < len(above) and j < len(here):
            _, a_start, a_end = runs[above[i]]
            _, h_start, h_end = runs[here[j]]
            if a_start < h_end and h_start < a_end:
                parent[_find(parent, here[j])] = _find(parent, above[i])
            if a_end < h_end:
                i += 1
            else:
                j += 1
    sizes: dict[int, int] = {}
    boxes: dict[int, tuple[int, int, int, int]] = {}
    for index, (row, start, end) in enumerate(runs):
        root = _find(parent, index)
        sizes[root] = sizes.get(root, 0) + end - start
        left, top, right, bottom = boxes.get(root, (start, row, end, row + 1))
        boxes[root] = (min(left, start), min(top, row), max(right, end), max(bottom, row + 1))
    return boxes[max(sizes, key=sizes.__getitem__)]


def _pixels(image: Image.Image) -> torch.Tensor:
    return gray_tensor(image.tobytes(), image.width, image.height)


def _ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    """The bounding box of the ink (the whole image when there is none)."""
    ink = _pixels(image) < WHITE
    rows = torch.nonzero(ink.any(dim=1)).flatten()
    cols = torch.nonzero(ink.any(dim=0)).flatten()
    if rows.numel() == 0:
        return 0, 0, image.width, image.height
    top, bottom = tensor_ints(torch.stack([rows[0], rows[-1]]))
    left, right = tensor_ints(torch.stack([cols[0], cols[-1]]))
    return left, top, right + 1, bottom + 1


def skew(image: Image.Image) -> tuple[float, float]:
    """(tilt of the ink's principal axis from the vertical in degrees, eigenvalue
    contrast); (0, 0) for fewer than two ink pixels."""
    points = torch.nonzero(_pixels(image) < WHITE).to(torch.float64)
    if points.shape[0] < 2:
        return 0.0, 0.0
    centred = points - points.mean(dim=0)
    var_y, var_x, cov = tensor_floats(
        torch.stack(
            [
                (centred[:, 0] ** 2).mean(),
                (centred[:, 1] ** 2).mean(),
                (centred[:, 0] * centred[:, 1]).mean(),
            ]
        )
    )
    angle = 0.5 * math.degrees(math.atan2(2 * cov, var_y - var_x))
    spread = math.sqrt(((var_y - var_x) / 2) ** 2 + cov**2)
    # Two distinct pixels at least, so the total variance is positive.
    return angle, 2 * spread / (var_y + var_x)


def deskew(image: Image.Image) -> Image.Image:
    """Step 5 on a binary image (ink 0 on white)."""
    angle, confidence = skew(image)
    if abs(angle) < MIN_ANGLE_DEG or confidence < MIN_CONFIDENCE:
        return image
    angle = max(-MAX_ANGLE_DEG, min(MAX_ANGLE_DEG, angle))
    rotated = image.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=WHITE)
    # Bicubic overshoot greys the old frame's edges; re-binarise so they are not "ink".
    rotated = _binary(rotated, 127)
    return rotated.crop(_ink_box(rotated))


def _binary(image: Image.Image, threshold: int) -> Image.Image:
    table = [WHITE if v > threshold else 0 for v in range(256)]
    return image.point(table)


def center(image: Image.Image) -> Image.Image:
    """Step 6 on an image with ink (0) on white."""
    binary = _binary(image, 127)
    ink = torch.nonzero(_pixels(binary) < WHITE).to(torch.float64)
    side = max(image.size)
    canvas_side = side + 2 * round(0.1 * side)
    if ink.shape[0] == 0:
        return binary
    cy, cx = tensor_floats(ink.mean(dim=0))
    canvas = Image.new("L", (canvas_side, canvas_side), WHITE)
    canvas.paste(binary, (round(canvas_side / 2 - cx), round(canvas_side / 2 - cy)))
    left, top, right, bottom = _ink_box(canvas)
    half = max(right - left, bottom - top) // 2 + 4
    mid_x, mid_y = (left + right) // 2, (top + bottom) // 2
    square = Image.new("L", (2 * half, 2 * half), WHITE)
    # Pasting the canvas shifted (not cropping past its edge, which fills black).
    square.paste(canvas, (half - mid_x, half - mid_y))
    return square


def normalise(image: Image.Image) -> torch.Tensor:
    """Step 7: a 28x28 image to the model's 1x1x28x28 float32 input."""
    pixels = _pixels(image).to(torch.float32) / 255.0
    return ((pixels - MEAN) / STD).reshape(1, 1, SIDE, SIDE)


def preprocess_gray(gray: Image.Image, options: Options) -> Preprocessed:
    """Steps 2-7 on an 8-bit grayscale image."""
    histogram = gray.histogram()
    invert = options.invert
    if invert is None:
        invert = histogram_median(histogram) < 128
    if invert:
        gray = ImageOps.invert(gray)
        histogram = gray.histogram()
    binary = _binary(gray, otsu_threshold(histogram))
    box = largest_component_box(_pixels(binary) == WHITE)
    if box is None:
        raise PreprocessError("no connected component found")
    digit = deskew(binary.crop(box))
    if options.center:
        digit = center(digit)
    small = digit.resize((SIDE, SIDE), Image.Resampling.BICUBIC)
    visual = None
    if options.visualize:
        buffer = io.BytesIO()
        big = small.resize((SIDE * VISUAL_SCALE, SIDE * VISUAL_SCALE), Image.Resampling.NEAREST)
        big.save(buffer, format="PNG")
        visual = buffer.getvalue()
    return Preprocessed(normalise(small), visual)


def preprocess_image(image: Image.Image, options: Options) -> Preprocessed:
    """The whole pipeline on a decoded image."""
    return preprocess_gray(to_grayscale(image), options)


def preprocess_mnist(pixels: torch.Tensor) -> torch.Tensor:
    """The pipeline on one 28x28 uint8 MNIST image (white ink on black): 1x28x28 float32."""
    gray = Image.frombytes("L", (SIDE, SIDE), tensor_bytes(pixels))
    return preprocess_gray(gray, Options()).tensor[0]
