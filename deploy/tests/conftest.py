"""What the compose tests get from their Bazel target (deploy/BUILD.bazel)."""

import os
import pathlib

import pytest

from platform_deploy.platform_run import image_list


@pytest.fixture()
def compose_file() -> pathlib.Path:
    """deploy/compose.yaml, from the runfiles."""
    return pathlib.Path(os.environ["COMPOSE_FILE"]).resolve()


@pytest.fixture()
def images() -> dict[str, pathlib.Path]:
    """Tag -> OCI layout of every image //deploy:images builds."""
    return image_list(os.environ["PLATFORM_IMAGES"].split())


@pytest.fixture()
def containers_conf() -> pathlib.Path:
    """podman's settings for this machine kind (tools/image/containers.conf)."""
    return pathlib.Path(os.environ["CONTAINERS_CONF_FILE"])
