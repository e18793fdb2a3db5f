"""Rendering in worker processes, and how the pool reports a dead worker."""

import asyncio
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from platform_core.health import NotReadyError
from qr_api.errors import QrInputError
from qr_api.render import capacity_message, render
from qr_api.render_pool import (
    REASON_BROKEN,
    RenderPool,
    RenderPoolBrokenError,
    ignore_interrupts,
    process_pool,
)
from qr_api.request import QrSpec
from qr_api_testing.reader import QrReader

SPEC = QrSpec(
    url="https://example.com/pool",
    ecc="Q",
    box_size=6,
    border=2,
    fill_color="#004400",
    back_color="#ffffee",
)


@pytest.fixture()
def processes() -> Iterator[ProcessPoolExecutor]:
    executor = process_pool(2)
    yield executor
    executor.shutdown(wait=True, cancel_futures=True)


async def test_renders_in_worker_processes(
    processes: ProcessPoolExecutor, qr_reader: QrReader
) -> None:
    pool = RenderPool(processes)
    png, svg = await asyncio.gather(pool.render(SPEC, "png"), pool.render(SPEC, "svg"))
    assert png == render(SPEC, "png")
    assert svg == render(SPEC, "svg")
    for data, kind in ((png, "png"), (svg, "svg")):
        reading = qr_reader.read(
            data, kind=kind, box_size=6, border=2, fill="#004400", back="#ffffee"
        )
        assert reading.text == "https://example.com/pool"
    await pool.check_ready()


async def test_warm_up_starts_every_worker(processes: ProcessPoolExecutor) -> None:
    pool = RenderPool(processes)
    await pool.warm_up(2)
    await pool.check_ready()


async def test_client_mistakes_cross_the_process_boundary(processes: ProcessPoolExecutor) -> None:
    too_long = QrSpec(
        url="https://example.com/" + "x" * 1700,
        ecc="Q",
        box_size=6,
        border=2,
        fill_color="#004400",
        back_color="#ffffee",
    )
    with pytest.raises(QrInputError) as caught:
        await RenderPool(processes).render(too_long, "png")
    assert caught.value.message == capacity_message("Q")


async def test_a_dead_worker_breaks_the_pool(processes: ProcessPoolExecutor) -> None:
    pool = RenderPool(processes)
    await pool.render(SPEC, "png")
    dying = asyncio.get_running_loop().run_in_executor(processes, os._exit, 3)
    with pytest.raises(RenderPoolBrokenError) as caught:
        await pool.render(SPEC, "svg")
    assert str(caught.value) == REASON_BROKEN
    with pytest.raises(NotReadyError) as not_ready:
        await pool.check_ready()
    assert not_ready.value.reason == REASON_BROKEN
    with pytest.raises(RenderPoolBrokenError):
        await pool.render(SPEC, "png")
    with pytest.raises(Exception, match="terminated abruptly"):
        await dying


async def test_any_executor_works() -> None:
    with ThreadPoolExecutor(1) as threads:
        pool = RenderPool(threads)
        assert await pool.render(SPEC, "svg") == render(SPEC, "svg")
        await pool.check_ready()


def test_workers_ignore_sigint() -> None:
    previous = signal.getsignal(signal.SIGINT)
    try:
        ignore_interrupts()
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


async def test_a_worker_survives_sigint(processes: ProcessPoolExecutor) -> None:
    pool = RenderPool(processes)
    await pool.warm_up(2)
    loop = asyncio.get_running_loop()
    for pid in await asyncio.gather(
        *(loop.run_in_executor(processes, os.getpid) for _ in range(4))
    ):
        os.kill(pid, signal.SIGINT)
    assert await pool.render(SPEC, "png") == render(SPEC, "png")
    await pool.check_ready()
