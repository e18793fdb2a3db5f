"""`module_attribute` lets a checked attribute through and refuses the rest."""

from collections.abc import Callable
from typing import TypeGuard

import pytest

from platform_core.checked import (
    UncheckedValueError,
    is_class,
    is_exception_class,
    module_attribute,
)

Join = Callable[[str, str], str]


def is_join(value: object) -> TypeGuard[Join]:
    return callable(value)


def test_a_checked_attribute_comes_through_typed() -> None:
    join = module_attribute("posixpath", "join", is_join)
    assert join("a", "b") == "a/b"


def test_a_refused_attribute_raises() -> None:
    with pytest.raises(UncheckedValueError, match=r"^posixpath.sep is a str, not what is_join"):
        module_attribute("posixpath", "sep", is_join)


def test_a_missing_attribute_or_module_raises_as_python_does() -> None:
    with pytest.raises(AttributeError):
        module_attribute("posixpath", "no_such_name", is_join)
    with pytest.raises(ModuleNotFoundError):
        module_attribute("no_such_module_here", "x", is_join)


def test_class_checks() -> None:
    assert module_attribute("builtins", "ValueError", is_exception_class) is ValueError
    assert module_attribute("collections", "OrderedDict", is_class).__name__ == "OrderedDict"
    assert not is_class(len)
    assert not is_exception_class(dict)
