"""The fixture image (//tools/image:fixture_image) and podman's settings, from Bazel."""

import os
import pathlib

import pytest


@pytest.fixture()
def fixture_image() -> pathlib.Path:
    """A minimal service image: /app/bin/server (the kit's health routes), /app/bin/worker."""
    return pathlib.Path(os.environ["FIXTURE_IMAGE"]).resolve()


@pytest.fixture()
def containers_conf() -> pathlib.Path:
    """tools/image/containers.conf."""
    return pathlib.Path(os.environ["CONTAINERS_CONF_FILE"])
