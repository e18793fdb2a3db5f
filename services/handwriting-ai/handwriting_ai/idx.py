"""MNIST's IDX files: the reader training uses, and the writer the digits tool uses.

An IDX file is a big-endian header (two zero bytes, a type code, the number of
dimensions, one 32-bit size per dimension) and the data; MNIST ships them gzip-compressed:
`train-images-idx3-ubyte.gz` (magic 2051, Nx28x28 unsigned bytes),
`train-labels-idx1-ubyte.gz` (magic 2049, N unsigned bytes) and the `t10k-` pair. The
files may lie in the data directory itself or under `MNIST/raw/` (torchvision's layout).
Wrong magic, a size other than 28x28, a truncated file or image and label counts that
differ are an `IdxError` naming the file.
"""

import gzip
import pathlib
import struct
from dataclasses import dataclass

import torch

from handwriting_ai.tensors import tensor_bytes

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
SIDE = 28
FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


class IdxError(RuntimeError):
    """An IDX file is missing or not what MNIST's format says."""


@dataclass(frozen=True, slots=True)
class Split:
    """Images (Nx28x28 uint8, white ink on black as in MNIST) and their labels (N int64)."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return int(self.labels.shape[0])


@dataclass(frozen=True, slots=True)
class Mnist:
    """The training and test splits."""

    train: Split
    test: Split


def _read(path: pathlib.Path) -> bytes:
    try:
        with gzip.open(path, "rb") as stream:
            return stream.read()
    except (OSError, EOFError) as exc:
        raise IdxError(f"{path.name}: cannot read: {exc}") from exc


def _u32(data: bytes, index: int) -> int:
    return int.from_bytes(data[4 * index : 4 * index + 4], "big")


def read_images(path: pathlib.Path) -> torch.Tensor:
    """The Nx28x28 uint8 images of an idx3 file."""
    data = _read(path)
    if len(data) < 16:
        raise IdxError(f"{path.name}: truncated header")
    magic, count, rows, cols = (_u32(data, i) for i in range(4))
    if magic != IMAGES_MAGIC:
        raise IdxError(f"{path.name}: magic {magic}, expected {IMAGES_MAGIC}")
    if (rows, cols) != (SIDE, SIDE):
        raise IdxError(f"{path.name}: images are {rows}x{cols}, expected {SIDE}x{SIDE}")
    if len(data) != 16 + count * rows * cols:
        raise IdxError(f"{path.name}: {len(data) - 16} data bytes, expected {count * rows * cols}")
    return torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).reshape(count, rows, cols)


def read_labels(path: pathlib.Path) -> torch.Tensor:
    """The N labels (int64) of an idx1 file."""
    data = _read(path)
    if len(data) < 8:
        raise IdxError(f"{path.name}: truncated header")
    magic, count = _u32(data, 0), _u32(data, 1)
    if magic != LABELS_MAGIC:
        raise IdxError(f"{path.name}: magic {magic}, expected {LABELS_MAGIC}")
    if len(data) != 8 + count:
        raise IdxError(f"{path.name}: {len(data) - 8} labels, expected {count}")
    return torch.frombuffer(bytearray(data[8:]), dtype=torch.uint8).to(torch.int64)


def mnist_dir(data_dir: pathlib.Path) -> pathlib.Path:
    """Where the files are: `data_dir` itself, or `data_dir/MNIST/raw` (torchvision's layout)."""
    raw = data_dir / "MNIST" / "raw"
    return raw if (raw / FILES["train_images"]).exists() else data_dir


def has_mnist(data_dir: pathlib.Path) -> bool:
    """Whether all four files are present."""
    where = mnist_dir(data_dir)
    return all((where / name).is_file() for name in FILES.values())


def _split(where: pathlib.Path, images: str, labels: str) -> Split:
    for name in (images, labels):
        if not (where / name).is_file():
            raise IdxError(f"{name}: not found in {where}")
    split = Split(read_images(where / images), read_labels(where / labels))
    if split.images.shape[0] != split.labels.shape[0]:
        raise IdxError(
            f"{images}: {split.images.shape[0]} images but {labels}: {split.labels.shape[0]} labels"
        )
    return split


def load_mnist(data_dir: pathlib.Path) -> Mnist:
    """Both splits from `data_dir` (see `mnist_dir`)."""
    where = mnist_dir(data_dir)
    return Mnist(
        train=_split(where, FILES["train_images"], FILES["train_labels"]),
        test=_split(where, FILES["test_images"], FILES["test_labels"]),
    )


def _write(path: pathlib.Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with gzip.open(tmp, "wb", compresslevel=6) as stream:
        stream.write(data)
    tmp.replace(path)


def write_split(where: pathlib.Path, prefix: str, split: Split) -> None:
    """Write `split` as `{prefix}-images-idx3-ubyte.gz` and `{prefix}-labels-idx1-ubyte.gz`."""
    count = len(split)
    header = struct.pack(">IIII", IMAGES_MAGIC, count, SIDE, SIDE)
    _write(where / f"{prefix}-images-idx3-ubyte.gz", header + tensor_bytes(split.images))
    labels_header = struct.pack(">II", LABELS_MAGIC, count)
    _write(where / f"{prefix}-labels-idx1-ubyte.gz", labels_header + tensor_bytes(split.labels))
