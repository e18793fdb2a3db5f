"""Fixtures of the http tests: the example app, its context, captured log lines."""

from collections.abc import Iterator

import pytest
from kit_example import Ctx, LogLines, Settings, build_example
from starlette.applications import Starlette


@pytest.fixture()
def ctx() -> Ctx:
    """A fresh example context."""
    return Ctx(settings=Settings())


@pytest.fixture()
def example(ctx: Ctx) -> Starlette:
    """The example app."""
    return build_example(ctx)


@pytest.fixture()
def logs() -> Iterator[LogLines]:
    """Log lines captured for this test."""
    captured = LogLines()
    yield captured
    captured.handle.close()
