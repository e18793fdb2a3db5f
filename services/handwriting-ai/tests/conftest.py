"""Shared fixtures: the bundled digits as IDX files."""

import pathlib

import pytest

from handwriting_ai.digits_data import write_digits_mnist


@pytest.fixture(scope="session")
def digits_dir(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """scikit-learn's digits written as MNIST IDX files (the real tool)."""
    where = tmp_path_factory.mktemp("mnist")
    write_digits_mnist(where)
    return where
