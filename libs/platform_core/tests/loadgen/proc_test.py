"""CPU time and peak memory of real processes, from /proc."""

import os
import subprocess
import sys
import time

import pytest

from platform_core.loadgen import ProcStatsError, cpu_seconds, peak_rss_bytes


def test_cpu_time_grows_with_work() -> None:
    before = cpu_seconds(os.getpid())
    started = time.process_time()
    while time.process_time() - started < 0.2:
        pass  # work
    assert cpu_seconds(os.getpid()) - before >= 0.1


def test_peak_memory_of_a_live_process() -> None:
    assert peak_rss_bytes(os.getpid()) > 10 * 1024 * 1024


def test_an_exited_process_has_no_peak_memory() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not yet reaped
    with pytest.raises(ProcStatsError, match=f"/proc/{child.pid}/status has no VmHWM"):
        peak_rss_bytes(child.pid)
    assert child.wait() == 0
