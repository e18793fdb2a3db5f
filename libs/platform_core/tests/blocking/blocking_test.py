"""run_in / run_blocking: results, context, and cancellation that waits for the thread."""

import asyncio
import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from platform_core.blocking import run_blocking, run_in, run_stoppable

TAG = contextvars.ContextVar("TAG", default="none")


async def test_run_blocking_returns_the_result() -> None:
    def add(a: int, b: int) -> int:
        return a + b

    assert await run_blocking(add, 1, b=2) == 3


async def test_the_call_runs_in_the_given_executor_with_the_callers_context() -> None:
    TAG.set("request-7")

    def seen() -> tuple[str, str]:
        return threading.current_thread().name, TAG.get()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="io") as pool:
        result: tuple[str, str] = await run_in(pool, seen)
    assert result[0].startswith("io")
    assert result[1] == "request-7"


async def test_a_failure_is_raised_as_it_is() -> None:
    def fail() -> None:
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        await run_blocking(fail)


async def test_cancellation_waits_for_the_thread_and_keeps_its_failure() -> None:
    entered = threading.Event()
    release = threading.Event()

    def work() -> None:
        entered.set()
        release.wait(10)
        raise OSError("failed after the caller left")

    task = asyncio.create_task(run_blocking(work))
    assert await run_blocking(entered.wait, 10)
    task.cancel()
    await asyncio.sleep(0)
    assert not task.done()
    release.set()
    with pytest.raises(asyncio.CancelledError) as raised:
        await task
    assert isinstance(raised.value.__cause__, OSError)


async def test_cancelling_again_while_waiting_still_waits_for_the_thread() -> None:
    entered = threading.Event()
    release = threading.Event()
    ended = threading.Event()

    def work() -> str:
        entered.set()
        release.wait(10)
        ended.set()
        return "done"

    task = asyncio.create_task(run_blocking(work))
    assert await run_blocking(entered.wait, 10)
    for _ in range(3):
        task.cancel()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert not task.done()
    release.set()
    with pytest.raises(asyncio.CancelledError) as raised:
        await task
    assert raised.value.__cause__ is None
    assert ended.is_set()


async def test_a_stoppable_call_is_stopped_once_when_its_caller_is_cancelled() -> None:
    entered = threading.Event()
    stop = threading.Event()
    stops: list[str] = []

    def download() -> str:
        entered.set()
        if stop.wait(10):
            raise InterruptedError("stopped")
        return "whole file"

    def stop_download() -> None:
        stops.append("stop")
        stop.set()

    task = asyncio.create_task(run_stoppable(None, stop_download, download))
    assert await run_blocking(entered.wait, 10)
    task.cancel()
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError) as raised:
        await task
    assert isinstance(raised.value.__cause__, InterruptedError)
    assert stops == ["stop"]


async def test_a_stoppable_call_that_is_not_cancelled_is_not_stopped() -> None:
    stops: list[str] = []
    assert await run_stoppable(None, lambda: stops.append("stop"), str.upper, "abc") == "ABC"
    assert stops == []
