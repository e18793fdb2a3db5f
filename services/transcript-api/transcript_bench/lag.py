"""Event-loop lag: how late a task that sleeps `interval_s` wakes up, sampled all along.

A loop that is never blocked wakes it within a millisecond or so; a blocking call (or a
thread that keeps the GIL) shows up as lag of that call's length.
"""

import asyncio
import time

from pydantic import BaseModel


class LagSample(BaseModel):
    """When (wall clock, seconds) and how late (seconds) the sampler woke up."""

    at: float
    lag_s: float


class LagSamples(BaseModel):
    """Every sample of one run."""

    interval_s: float
    samples: list[LagSample]

    def between(self, start: float, end: float) -> list[float]:
        """The lags of the samples taken within `[start, end]` (wall clock)."""
        return [s.lag_s for s in self.samples if start <= s.at <= end]


class LoopLag:
    """Samples the running loop's lag every `interval_s` until cancelled."""

    def __init__(self, interval_s: float = 0.01) -> None:
        self.interval_s = interval_s
        self.samples: list[LagSample] = []

    async def run(self) -> None:
        """Sample forever (cancel the task to stop)."""
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval_s)
            late = time.perf_counter() - before - self.interval_s
            self.samples.append(LagSample(at=time.time(), lag_s=max(0.0, late)))

    def result(self) -> LagSamples:
        """The samples so far."""
        return LagSamples(interval_s=self.interval_s, samples=list(self.samples))
