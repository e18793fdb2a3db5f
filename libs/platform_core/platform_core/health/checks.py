"""The readiness check type, its error, and how checks combine."""

import asyncio
from collections.abc import Awaitable, Callable

ReadinessCheck = Callable[[], Awaitable[None]]
"""An async callable that returns when ready and raises `NotReadyError` (with a reason) if not."""


class NotReadyError(Exception):
    """A dependency is not usable now; `reason` is the short text `/readyz` reports."""

    def __init__(self, reason: str) -> None:
        if not reason.strip():
            raise ValueError("NotReadyError needs a reason")
        super().__init__(reason)
        self.reason = reason


def all_of(*checks: ReadinessCheck) -> ReadinessCheck:
    """One check that runs `checks` in order and stops at the first `NotReadyError`."""

    async def check() -> None:
        for each in checks:
            await each()

    return check


def with_timeout(check: ReadinessCheck, seconds: float, reason: str) -> ReadinessCheck:
    """`check`, failing with `NotReadyError(reason)` when it takes longer than `seconds`."""
    if seconds <= 0:
        raise ValueError("a readiness timeout must be positive")

    async def timed() -> None:
        try:
            async with asyncio.timeout(seconds):
                await check()
        except TimeoutError:
            raise NotReadyError(reason) from None

    return timed
