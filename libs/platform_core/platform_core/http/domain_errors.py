"""An app's one table of how its domain exceptions answer over HTTP.

Domain code and adapters raise their own exceptions (`ObjectNotFoundError`,
`UpstreamError`, a Redis failure); the app declares once, next to its routes, which
`AppError` each one becomes:

    create_app(..., errors=[
        maps(ObjectNotFoundError, lambda _: AppError(ErrorCode.NOT_FOUND, "file not found")),
        maps(UploadRejectedError, lambda exc: AppError(ErrorCode.INVALID_INPUT, exc.message)),
    ])

An exception is looked up by its class, then its base classes in method resolution
order (as Starlette looks up exception handlers): the most specific row wins. The
`AppError` is raised from the domain exception, so a 5xx is logged with it as the cause.
Exceptions without a row stay what they are (an unexpected one is a 500).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from platform_core.errors import AppError

E = TypeVar("E", bound=Exception)


@dataclass(frozen=True, slots=True)
class ErrorRule:
    """One row of the table: exceptions of `kind` (and its subclasses, unless they have
    their own row) answer as `answer(exc)`; built with `maps`."""

    kind: type[Exception]
    answer: Callable[[Exception], AppError]


def maps(kind: type[E], to: Callable[[E], AppError]) -> ErrorRule:
    """The row "`kind` answers as `to(exc)`" (`to` makes a fresh `AppError` each time)."""

    def answer(exc: Exception) -> AppError:
        if not isinstance(exc, kind):
            raise TypeError(f"the {kind.__name__} row was asked about {type(exc).__name__}")
        return to(exc)

    return ErrorRule(kind, answer)


class ErrorTable:
    """The rows of one app, looked up by exception class."""

    def __init__(self, rules: Sequence[ErrorRule]) -> None:
        by_kind: dict[type[Exception], Callable[[Exception], AppError]] = {}
        for rule in rules:
            if rule.kind in by_kind:
                raise ValueError(f"{rule.kind.__name__} is mapped twice in the error table")
            if issubclass(rule.kind, AppError):
                raise TypeError(f"{rule.kind.__name__} is an AppError: it answers as it is")
            by_kind[rule.kind] = rule.answer
        self._by_kind = by_kind

    def __len__(self) -> int:
        return len(self._by_kind)

    def answer(self, exc: Exception) -> AppError | None:
        """The `AppError` for `exc` (itself if it is one), None when no row maps it."""
        if isinstance(exc, AppError):
            return exc
        for cls in type(exc).__mro__:
            answer = self._by_kind.get(cls)
            if answer is not None:
                return answer(exc)
        return None
