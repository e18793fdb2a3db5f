"""Shared fixtures of the qr-api tests."""

import pytest

from qr_api_testing.reader import QrReader


@pytest.fixture()
def qr_reader() -> QrReader:
    """A real QR decoder (zbar) for the images under test."""
    return QrReader()
