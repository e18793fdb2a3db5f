"""Each tool works as a script (Bazel runs it as a binary's or a test's main)."""

import types

import pytest

from platform_image import service_check
from platform_image.scripts import exit_status


@pytest.mark.parametrize("module", [service_check])
def test_the_script_without_arguments_exits_2(module: types.ModuleType) -> None:
    assert exit_status(module) == 2


def test_a_module_without_a_file_is_refused() -> None:
    module = types.ModuleType("nothing")
    module.__file__ = None
    with pytest.raises(ValueError, match="nothing is no file"):
        exit_status(module)
