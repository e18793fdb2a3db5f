"""Running a tool module as a script, as Bazel runs a binary's main (for the tools' tests)."""

import runpy
import sys
import types

import pytest


def exit_status(module: types.ModuleType, *argv: str) -> int | str | None:
    """The status `module` exits with when run as `__main__` with `argv`."""
    if module.__file__ is None:
        raise ValueError(f"{module.__name__} is no file")
    saved = sys.argv
    sys.argv = ["script", *argv]
    try:
        with pytest.raises(SystemExit) as exit_info:
            runpy.run_path(module.__file__, run_name="__main__")
    finally:
        sys.argv = saved
    code: int | str | None = exit_info.value.code
    return code


__all__ = ["exit_status"]
