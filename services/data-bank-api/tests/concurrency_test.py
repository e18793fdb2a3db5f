"""Per-key locks and blocking calls under cancellation."""

import asyncio
import threading

import pytest

from data_bank_api.blocking import run_blocking
from data_bank_api.keyed_lock import KeyedLock


async def test_holders_of_one_key_take_turns_and_keys_are_dropped() -> None:
    locks = KeyedLock()
    order: list[str] = []
    first_in = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with locks.hold("a"):
            first_in.set()
            await release.wait()
            order.append("first")

    async def second() -> None:
        async with locks.hold("a"):
            order.append("second")

    async def other() -> None:
        async with locks.hold("b"):
            order.append("other")

    one = asyncio.create_task(first())
    await first_in.wait()
    two = asyncio.create_task(second())
    await other()
    await asyncio.sleep(0)
    assert len(locks) == 1
    release.set()
    await asyncio.gather(one, two)
    assert order == ["other", "first", "second"]
    assert len(locks) == 0


async def test_run_blocking_returns_the_result() -> None:
    def add(a: int, b: int) -> int:
        return a + b

    assert await run_blocking(add, 1, b=2) == 3


async def test_cancellation_waits_for_the_thread_and_keeps_its_failure() -> None:
    entered = threading.Event()
    release = threading.Event()

    def work() -> None:
        entered.set()
        release.wait(10)
        raise OSError("failed after the caller left")

    task = asyncio.create_task(run_blocking(work))
    assert await asyncio.to_thread(entered.wait, 10)
    task.cancel()
    await asyncio.sleep(0)
    assert not task.done()
    release.set()
    with pytest.raises(asyncio.CancelledError) as raised:
        await task
    assert isinstance(raised.value.__cause__, OSError)
