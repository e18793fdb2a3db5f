"""What Linux's /proc says about a process: the CPU time it used and its peak memory."""

import os
from pathlib import Path

PROC = Path("/proc")
KIB = 1024


class ProcStatsError(RuntimeError):
    """/proc has no such figure for the process (a zombie has no memory figures)."""


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far, its exited threads included
    (children not included; resolution 1/`SC_CLK_TCK` s, usually 10 ms)."""
    stat = (PROC / str(pid) / "stat").read_text(encoding="utf-8", errors="replace")
    # Fields after the command name (which may hold spaces and parentheses); utime and
    # stime are fields 14 and 15 of stat(5), so 11 and 12 after the state (field 3).
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_bytes(pid: int) -> int:
    """The process's peak resident set size so far (`VmHWM` in /proc/<pid>/status)."""
    for line in (
        (PROC / str(pid) / "status").read_text(encoding="utf-8", errors="replace").splitlines()
    ):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * KIB
    raise ProcStatsError(f"/proc/{pid}/status has no VmHWM (has the process exited?)")
