"""Latency figures: nearest-rank percentiles of durations, in milliseconds."""

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

MS_DIGITS = 3


class Latency(BaseModel):
    """Percentiles of a set of durations, in milliseconds (microsecond resolution)."""

    model_config = ConfigDict(frozen=True)

    count: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (`fraction` in [0, 1]) of ascending, non-empty values."""
    if not sorted_values:
        raise ValueError("no values to take a percentile of")
    # Rounded first so that 0.07 * 100 (7.000000000000001) is rank 7, not 8.
    rank = math.ceil(round(fraction * len(sorted_values), 9))
    return sorted_values[min(len(sorted_values), max(1, rank)) - 1]


def latency(seconds: Sequence[float]) -> Latency:
    """Summarise durations given in seconds (`ValueError` when there are none)."""
    if not seconds:
        raise ValueError("no latencies to summarise")
    values = sorted(seconds)

    def ms(value: float) -> float:
        return round(value * 1000, MS_DIGITS)

    return Latency(
        count=len(values),
        p50_ms=ms(percentile(values, 0.50)),
        p90_ms=ms(percentile(values, 0.90)),
        p99_ms=ms(percentile(values, 0.99)),
        max_ms=ms(values[-1]),
    )
