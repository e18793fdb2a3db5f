"""The redis-py adapter lets a module or exception class through only once checked."""

from typing import TypeGuard

import pytest

from platform_workers.async_redis.redis_py import (
    REDIS_PY_ERRORS,
    RedisPyShapeError,
    checked_module,
    errors_of,
)


def _has_from_url(value: object) -> TypeGuard[object]:
    return hasattr(value, "from_url")


def test_the_installed_redis_py_has_every_exception_class() -> None:
    assert REDIS_PY_ERRORS.base.__module__ == "redis.exceptions"
    assert issubclass(REDIS_PY_ERRORS.no_script, REDIS_PY_ERRORS.response)
    assert issubclass(REDIS_PY_ERRORS.timeout, REDIS_PY_ERRORS.base)


def test_a_module_without_the_expected_shape_is_refused() -> None:
    with pytest.raises(RedisPyShapeError, match="module json lacks what _has_from_url expects"):
        checked_module("json", _has_from_url)


def test_a_module_without_the_exception_classes_is_refused() -> None:
    with pytest.raises(RedisPyShapeError, match="RedisError is not an exception class"):
        errors_of("json")
