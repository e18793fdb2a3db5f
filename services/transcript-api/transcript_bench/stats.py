"""Latency figures: nearest-rank percentiles in milliseconds."""

import math
from collections.abc import Sequence

from pydantic import BaseModel


class Latency(BaseModel):
    """Percentiles of a set of durations, in milliseconds."""

    count: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of ascending values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def latency(seconds: Sequence[float]) -> Latency:
    """The percentiles of durations given in seconds."""
    values = sorted(seconds)
    return Latency(
        count=len(values),
        p50_ms=round(percentile(values, 0.50) * 1000, 1),
        p90_ms=round(percentile(values, 0.90) * 1000, 1),
        p99_ms=round(percentile(values, 0.99) * 1000, 1),
        max_ms=round(values[-1] * 1000, 1) if values else 0.0,
    )
