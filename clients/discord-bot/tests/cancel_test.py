"""`cancel_and_wait` ends a task that swallows a cancellation (as 3.11's wait_for may)."""

import asyncio

from discord_bot.cancel import cancel_and_wait


async def test_a_swallowed_cancellation_is_repeated() -> None:
    swallowed: list[str] = []

    async def stubborn() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            swallowed.append("once")
        await asyncio.sleep(10)

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await cancel_and_wait(task)
    assert task.cancelled()
    assert swallowed == ["once"]
    await cancel_and_wait(task)  # done already: nothing to do
