"""Per-key locks."""

import asyncio

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
