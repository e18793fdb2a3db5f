"""Rendering off the event loop: an executor of worker processes, and its readiness.

segno is pure Python, so a render holds the GIL for milliseconds; in worker processes
it neither blocks the event loop nor competes with it for the GIL, so `/healthz` and
request handling stay responsive while every worker is busy. The executor is passed
in (the server uses `process_pool`; tests may pass any `Executor`).
"""

import asyncio
import multiprocessing
import signal
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor

from platform_core.health import NotReadyError
from qr_api.render import ImageKind, render
from qr_api.request import QrSpec

REASON_BROKEN = "render pool broken"


class RenderPoolBrokenError(RuntimeError):
    """A worker of the render pool died; the pool renders nothing more."""

    def __init__(self) -> None:
        super().__init__(REASON_BROKEN)


def ignore_interrupts() -> None:
    """Render workers ignore SIGINT: a terminal's Ctrl-C reaches the whole process group,
    and the server, not its workers, decides when the pool stops (after in-flight work).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """`workers` spawned processes (spawn: no fork of a running event loop's threads)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=ignore_interrupts,
    )


class RenderPool:
    """Renders specs in `executor` and reports whether it still can."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def render(self, spec: QrSpec, kind: ImageKind) -> bytes:
        """The image of `spec`, rendered in the executor."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, render, spec, kind)
        except BrokenExecutor as exc:
            raise RenderPoolBrokenError from exc

    async def warm_up(self, workers: int) -> None:
        """Render one small code per worker at once, so every worker is started and ready."""
        spec = QrSpec(url="https://localhost/warm-up")
        await asyncio.gather(*(self.render(spec, "png") for _ in range(workers)))

    async def check_ready(self) -> None:
        """The readiness check: `NotReadyError("render pool broken")` once a worker has died.

        Submitting raises at once when the pool is broken; the probe is cancelled
        straight away, so the check never waits behind queued renders.
        """
        try:
            probe = self._executor.submit(int)
        except BrokenExecutor as exc:
            raise NotReadyError(REASON_BROKEN) from exc
        probe.cancel()
