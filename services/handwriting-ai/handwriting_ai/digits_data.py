"""scikit-learn's bundled handwritten digits, written as MNIST IDX files.

scikit-learn's wheel ships 1,797 scanned digits (8x8, values 0-16; `load_digits()`),
so tests and the demo train on real handwriting without a download. Each digit is scaled
to 0-255, upsampled to 20x20 (bicubic) and centred in a 28x28 black canvas, white ink on
black as in MNIST, then the set is shuffled with a fixed seed and split into
`train-*` and `t10k-*` files. The real IDX reader (`handwriting_ai.idx`) reads them.
"""

import gzip
import importlib.util
import pathlib

import torch
from PIL import Image

from handwriting_ai.idx import SIDE, Split, write_split
from handwriting_ai.tensors import gray_tensor, tensor_bytes, tensor_ints

DIGIT_BOX = 20
TEST_FRACTION = 0.2
SEED = 0
PIXELS = 64
SAMPLE_SCALE = 4


class DigitsDataError(RuntimeError):
    """scikit-learn's bundled digits file is missing or malformed."""


def digits_csv(package: str = "sklearn") -> pathlib.Path:
    """`sklearn/datasets/data/digits.csv.gz` in the installed wheel (found without importing
    scikit-learn, whose import takes seconds and whose loaders are untyped)."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise DigitsDataError(f"{package} is not installed")
    return pathlib.Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"


def read_digits_csv(path: pathlib.Path) -> tuple[bytes, bytes]:
    """The 8x8 images scaled to 0-255 (64 bytes each) and the labels, from the CSV rows
    `p0,...,p63,label` (pixels 0-16)."""
    with gzip.open(path, "rt", encoding="ascii") as stream:
        rows = stream.read().split()
    images = bytearray()
    labels = bytearray()
    for number, row in enumerate(rows, start=1):
        values = [int(v) for v in row.split(",")]
        if len(values) != PIXELS + 1 or not all(0 <= v <= 16 for v in values[:PIXELS]):
            raise DigitsDataError(f"{path.name}: row {number} is not 64 pixels (0-16) and a label")
        images += bytes(round(v * 255 / 16) for v in values[:PIXELS])
        labels.append(values[PIXELS])
    return bytes(images), bytes(labels)


def _upscale(pixels: bytes) -> torch.Tensor:
    small = Image.frombytes("L", (8, 8), pixels)
    big = small.resize((DIGIT_BOX, DIGIT_BOX), Image.Resampling.BICUBIC)
    canvas = Image.new("L", (SIDE, SIDE), 0)
    offset = (SIDE - DIGIT_BOX) // 2
    canvas.paste(big, (offset, offset))
    return gray_tensor(canvas.tobytes(), SIDE, SIDE)


def digits_splits(test_fraction: float = TEST_FRACTION, seed: int = SEED) -> tuple[Split, Split]:
    """All 1,797 digits as 28x28 MNIST-style images, shuffled and split (train, test)."""
    image_bytes, label_bytes = read_digits_csv(digits_csv())
    count = len(label_bytes)
    images = torch.stack(
        [_upscale(image_bytes[i * PIXELS : (i + 1) * PIXELS]) for i in range(count)]
    )
    labels = torch.frombuffer(bytearray(label_bytes), dtype=torch.uint8).to(torch.int64)
    order = torch.randperm(count, generator=torch.Generator().manual_seed(seed))
    n_test = round(count * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return Split(images[train], labels[train]), Split(images[test], labels[test])


def write_digits_mnist(
    where: pathlib.Path, test_fraction: float = TEST_FRACTION
) -> tuple[int, int]:
    """Write the four IDX files into `where` (created if missing); (train, test) counts."""
    where.mkdir(parents=True, exist_ok=True)
    train, test = digits_splits(test_fraction)
    write_split(where, "train", train)
    write_split(where, "t10k", test)
    return len(train), len(test)


def write_samples(where: pathlib.Path, test_fraction: float = TEST_FRACTION) -> list[pathlib.Path]:
    """One held-out digit of each class as `<digit>.png` in `where` (created if missing),
    dark ink on white and 4x larger (112x112), as a user would photograph one; the paths."""
    where.mkdir(parents=True, exist_ok=True)
    _, test = digits_splits(test_fraction)
    labels = tensor_ints(test.labels)
    written: list[pathlib.Path] = []
    for digit in range(10):
        pixels = tensor_bytes(255 - test.images[labels.index(digit)])
        image = Image.frombytes("L", (SIDE, SIDE), pixels)
        side = SIDE * SAMPLE_SCALE
        path = where / f"{digit}.png"
        image.resize((side, side), Image.Resampling.BICUBIC).save(path, format="PNG")
        written.append(path)
    return written
