"""Each tool works as a script (Bazel runs it as a binary's or a test's main)."""

import runpy
import sys
import types

import pytest

from platform_image import healthcheck


@pytest.mark.parametrize("module", [healthcheck])
def test_the_script_without_arguments_exits_1(
    module: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert module.__file__ is not None
    monkeypatch.setattr(sys, "argv", ["script"])
    monkeypatch.delenv("PORT", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(module.__file__, run_name="__main__")
    assert exit_info.value.code == 1
