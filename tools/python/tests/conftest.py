"""Shared paths for the gate-proof tests."""

import pathlib

import pytest

FIXTURES = pathlib.Path("tools/python/tests/fixtures").resolve()


@pytest.fixture()
def fixtures() -> pathlib.Path:
    """The directory of deliberately good and bad fixture files."""
    return FIXTURES
