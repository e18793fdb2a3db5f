"""The IDX reader and writer, and the bundled digits written as MNIST."""

import gzip
import pathlib
import struct

import pytest
import torch

from handwriting_ai.digits_data import (
    DigitsDataError,
    digits_csv,
    read_digits_csv,
    write_digits_mnist,
)
from handwriting_ai.idx import (
    FILES,
    IdxError,
    Split,
    has_mnist,
    load_mnist,
    read_images,
    read_labels,
    write_split,
)
from handwriting_ai.tensors import tensor_ints


def test_digits_as_mnist(digits_dir: pathlib.Path) -> None:
    assert has_mnist(digits_dir)
    data = load_mnist(digits_dir)
    assert (len(data.train), len(data.test)) == (1438, 359)
    assert data.train.images.shape == (1438, 28, 28)
    assert data.train.images.dtype == torch.uint8
    assert all(count > 0 for count in tensor_ints(data.train.labels.bincount(minlength=10)))
    # white ink on a black border, as MNIST
    first = data.train.images[0]
    assert int(first.max().item()) == 255
    assert int(first[0].sum().item()) == 0


def test_torchvision_layout_and_missing_files(tmp_path: pathlib.Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    split = Split(torch.zeros(2, 28, 28, dtype=torch.uint8), torch.arange(3, 5))
    write_split(raw, "train", split)
    assert not has_mnist(tmp_path)
    with pytest.raises(IdxError, match=r"t10k-images-idx3-ubyte\.gz: not found"):
        load_mnist(tmp_path)
    write_split(raw, "t10k", split)
    assert tensor_ints(load_mnist(tmp_path).test.labels) == [3, 4]


def _gz(path: pathlib.Path, data: bytes) -> pathlib.Path:
    with gzip.open(path, "wb") as out:
        out.write(data)
    return path


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\x00\x00", "truncated header"),
        (struct.pack(">IIII", 2049, 1, 28, 28), "magic 2049, expected 2051"),
        (struct.pack(">IIII", 2051, 1, 8, 8) + bytes(64), "images are 8x8"),
        (struct.pack(">IIII", 2051, 2, 28, 28) + bytes(784), "784 data bytes, expected 1568"),
    ],
)
def test_bad_image_files(tmp_path: pathlib.Path, data: bytes, error: str) -> None:
    with pytest.raises(IdxError, match=error):
        read_images(_gz(tmp_path / "x.gz", data))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\x00", "truncated header"),
        (struct.pack(">II", 2051, 1) + b"\x01", "magic 2051, expected 2049"),
        (struct.pack(">II", 2049, 3) + b"\x01", "1 labels, expected 3"),
    ],
)
def test_bad_label_files(tmp_path: pathlib.Path, data: bytes, error: str) -> None:
    with pytest.raises(IdxError, match=error):
        read_labels(_gz(tmp_path / "x.gz", data))


def test_not_gzip_and_count_mismatch(tmp_path: pathlib.Path) -> None:
    (tmp_path / "plain").write_bytes(b"not gzip at all")
    with pytest.raises(IdxError, match="cannot read"):
        read_labels(tmp_path / "plain")
    write_split(tmp_path, "train", Split(torch.zeros(2, 28, 28), torch.arange(1, 3)))
    write_split(tmp_path, "t10k", Split(torch.zeros(1, 28, 28), torch.arange(1, 2)))
    _gz(tmp_path / FILES["train_labels"], struct.pack(">II", 2049, 1) + b"\x01")
    with pytest.raises(IdxError, match=r"2 images but train-labels-idx1-ubyte\.gz: 1 labels"):
        load_mnist(tmp_path)


def test_digits_csv_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(DigitsDataError, match="no_such_package_here is not installed"):
        digits_csv("no_such_package_here")
    bad = _gz(tmp_path / "digits.csv.gz", b"1,2,3\n")
    with pytest.raises(DigitsDataError, match="row 1 is not 64 pixels"):
        read_digits_csv(bad)
    too_bright = _gz(tmp_path / "b.csv.gz", (",".join(["17"] * 64) + ",1\n").encode())
    with pytest.raises(DigitsDataError, match="row 1"):
        read_digits_csv(too_bright)


def test_custom_split(tmp_path: pathlib.Path) -> None:
    assert write_digits_mnist(tmp_path / "new", test_fraction=0.5) == (899, 898)
