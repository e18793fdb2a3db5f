"""`module_attribute`: a module's attribute, imported by name and checked."""

import importlib
from collections.abc import Callable
from typing import TypeGuard, TypeVar

T = TypeVar("T")


class UncheckedValueError(TypeError):
    """An attribute that the caller's check refused (its installed version differs)."""


def module_attribute(module: str, name: str, check: Callable[[object], TypeGuard[T]]) -> T:
    """`module.name`, after `check` accepted it; `UncheckedValueError` when it does not."""
    value: object = getattr(importlib.import_module(module), name)
    if not check(value):
        raise UncheckedValueError(
            f"{module}.{name} is a {type(value).__name__}, not what {check.__name__} expects"
        )
    return value


_CLASS = type(object)


def is_class(value: object) -> TypeGuard[type[object]]:
    """A check for `module_attribute`: `value` is a class."""
    return isinstance(value, _CLASS)


def is_exception_class(value: object) -> TypeGuard[type[Exception]]:
    """A check for `module_attribute`: `value` is an exception class."""
    return is_class(value) and issubclass(value, Exception)
