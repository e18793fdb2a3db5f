"""Helpers for the layer and image tests: read what the tools wrote."""

import gzip
import io
import pathlib
import tarfile
from collections.abc import Callable

import pytest

Members = Callable[[pathlib.Path], dict[str, tarfile.TarInfo]]
Content = Callable[[pathlib.Path, str], bytes]


def _members(blob: pathlib.Path) -> dict[str, tarfile.TarInfo]:
    with gzip.open(blob, "rb") as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
        return {member.name: member for member in tar}


def _content(blob: pathlib.Path, name: str) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob.read_bytes()))) as tar:
        handle = tar.extractfile(name)
        if handle is None:
            raise KeyError(name)
        return handle.read()


@pytest.fixture()
def members() -> Members:
    """A layer blob's entries by name."""
    return _members


@pytest.fixture()
def content() -> Content:
    """One file's bytes in a layer blob."""
    return _content
