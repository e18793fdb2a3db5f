"""Loop-lag samples."""

import asyncio

from platform_workers.async_queue_testing import wait_until
from transcript_bench.lag import LagSample, LagSamples, LoopLag


async def test_the_sampler_sees_a_blocked_loop() -> None:
    monitor = LoopLag(interval_s=0.005)
    sampler = asyncio.create_task(monitor.run())

    async def sampled(count: int) -> bool:
        return len(monitor.samples) >= count

    await wait_until(lambda: sampled(3))
    blocked = asyncio.get_running_loop().time()
    while asyncio.get_running_loop().time() - blocked < 0.05:
        pass  # keep the loop busy: the sampler must report it
    await wait_until(lambda: sampled(5))
    sampler.cancel()
    result = monitor.result()
    assert result.interval_s == 0.005
    assert max(s.lag_s for s in result.samples) >= 0.04


def test_samples_in_a_window() -> None:
    samples = LagSamples(
        interval_s=0.01,
        samples=[
            LagSample(at=1.0, lag_s=0.1),
            LagSample(at=2.0, lag_s=0.2),
            LagSample(at=3.0, lag_s=0.3),
        ],
    )
    assert samples.between(1.5, 3.0) == [0.2, 0.3]
