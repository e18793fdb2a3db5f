"""Each tool works as a script (Bazel runs it as a binary's or a test's main)."""

import types

import pytest

from platform_image import build_image, build_layer, debian_rootfs
from platform_image.scripts import exit_status


@pytest.mark.parametrize("module", [build_image, build_layer, debian_rootfs])
def test_the_script_without_arguments_exits_2(module: types.ModuleType) -> None:
    assert exit_status(module) == 2
