"""The public-API rule: each lib package says what it exports, in `__all__` (as httpx does).

For every package (`__init__.py`) among a lib target's sources, the test gate
(pytest_runner.py) imports it and checks that `__all__` lists names it defines, once each,
and that every public name it defines (a class or function defined in the package, or a
constant; not a submodule, a type variable or an imported class or function) is in it:
what a package exports is a decision. (mypy's `no_implicit_reexport` already keeps
imported names from being used through it.)

This module is the gates target's adapter (docs/bazel.md, "Adapters"): it reads
attributes by name and checks each as `object`.
"""

import importlib
import inspect
import pathlib
import types


def package_of(path: str) -> str | None:
    """`libs/<lib>/<a>/<b>/__init__.py` -> `<a>.<b>`; None for anything but a lib package."""
    parts = pathlib.PurePosixPath(path).parts
    if len(parts) < 4 or parts[0] != "libs" or parts[-1] != "__init__.py":
        return None
    return ".".join(parts[2:-1])


def _declared(module: types.ModuleType) -> list[str] | None:
    value: object = getattr(module, "__all__", None)
    if not isinstance(value, list):
        return None
    names = [name for name in value if isinstance(name, str)]
    return names if len(names) == len(value) else None


_TYPE_VARIABLES = {"TypeVar", "ParamSpec", "TypeVarTuple"}


def _is_code(value: object) -> bool:
    return inspect.isclass(value) or inspect.isfunction(value)


def _defined_in(package: str, value: object) -> bool:
    """Whether `value` belongs to `package` (a class or function defined there, or a
    constant); imported classes and functions, submodules and type variables do not."""
    if isinstance(value, types.ModuleType) or type(value).__name__ in _TYPE_VARIABLES:
        return False
    if not _is_code(value):
        return True
    origin: object = getattr(value, "__module__", None)
    return isinstance(origin, str) and (origin == package or origin.startswith(package + "."))


def problems(package: str) -> list[str]:
    """What is wrong with `package`'s public API (empty: nothing)."""
    module = importlib.import_module(package)
    names = _declared(module)
    if names is None:
        return [f"{package}: no __all__ (a list of the names the package exports)"]
    found: list[str] = []
    if len(set(names)) != len(names):
        found.append(f"{package}.__all__ names something twice")
    found += [
        f"{package}.__all__ names {name!r}, which the package does not define"
        for name in names
        if not hasattr(module, name)
    ]
    for name in dir(module):
        value: object = getattr(module, name)
        if not name.startswith("_") and name not in names and _defined_in(package, value):
            found.append(
                f"{package}.{name} is public but not in __all__ (export it, or name it _{name})"
            )
    return found


def check(srcs: list[str]) -> list[str]:
    """The problems of every lib package among `srcs`."""
    found: list[str] = []
    for path in srcs:
        package = package_of(path)
        if package is not None:
            found += problems(package)
    return found
