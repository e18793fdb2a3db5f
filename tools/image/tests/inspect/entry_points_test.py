"""Each tool works as a script (Bazel runs it as a binary's or a test's main)."""

import types

import pytest

from platform_image import inspect_image
from platform_image.scripts import exit_status


@pytest.mark.parametrize("module", [inspect_image])
def test_the_script_without_arguments_exits_2(module: types.ModuleType) -> None:
    assert exit_status(module) == 2
