"""Nearest-rank percentiles and latency figures."""

import pytest

from platform_core.loadgen import Latency, latency, percentile


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.07) == 7.0  # 0.07 * 100 is 7.000000000000001
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile(values, 0.0) == 1.0
    assert percentile([7.0], 0.99) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)


def test_latency_in_milliseconds() -> None:
    assert latency([0.003, 0.001, 0.0020004]) == Latency(
        count=3, p50_ms=2.0, p90_ms=3.0, p99_ms=3.0, max_ms=3.0
    )
    assert latency([0.0012345]).p50_ms == 1.234
    with pytest.raises(ValueError, match="no latencies"):
        latency([])
