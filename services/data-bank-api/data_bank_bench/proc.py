"""What /proc says about a process: its peak memory and the CPU time it used."""

import os
from pathlib import Path

PROC = Path("/proc")


def peak_rss_bytes(pid: int, proc: Path = PROC) -> int:
    """The process's peak resident set size (`VmHWM` in /proc/<pid>/status)."""
    for line in (proc / str(pid) / "status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise ValueError(f"no VmHWM for process {pid}")


def cpu_seconds(pid: int, proc: Path = PROC) -> float:
    """User plus system CPU time the process has used so far."""
    fields = (proc / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")
