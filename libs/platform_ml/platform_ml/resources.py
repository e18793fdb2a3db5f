"""The machine's limits (cgroup v2), the loader plan sized from them, and a memory guard.

Inside a container the cgroup, not the host, bounds a process: `cpu.max` (`<quota>
<period>` or `max <period>`) gives the usable cores and `memory.max` (bytes or `max`) the
memory. Without those files (no cgroup v2, or no limit set) the cores are the CPUs this
process may run on and the memory is unlimited.

`plan_loader` turns the limits into a batch size cap, loader workers and torch threads
with the original's table (cap by memory: < 1 GiB 64, < 2 GiB 128, < 4 GiB 256, else
512; no loader workers under 2 GiB). `MemoryGuard` reads `memory.current` and raises
`MemoryPressureError` once usage stays at or above the threshold for its limit (< 1 GiB
80%, < 2 GiB 85%, < 4 GiB 88%, else 92%) on `consecutive` checks in a row, so a run that
would be OOM-killed fails with a message saying what to change instead.
"""

import math
import os
import pathlib
from collections.abc import Callable
from dataclasses import dataclass

CGROUP_ROOT = pathlib.Path("/sys/fs/cgroup")
GIB = 1 << 30
MIB = 1 << 20


class CgroupError(ValueError):
    """A cgroup file holds something that is not in the kernel's format."""


class MemoryPressureError(RuntimeError):
    """Memory stayed above the guard's threshold: the run stops before an OOM kill."""


@dataclass(frozen=True, slots=True)
class Resources:
    """Usable CPU cores (>= 1) and the memory limit in bytes (None: unlimited)."""

    cpu_cores: int
    memory_limit_bytes: int | None

    @property
    def memory_mb(self) -> int | None:
        """The memory limit in MiB."""
        if self.memory_limit_bytes is None:
            return None
        return self.memory_limit_bytes // MIB


def _read(path: pathlib.Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None


def _cpu_quota(text: str) -> float | None:
    parts = text.split()
    if len(parts) != 2 or not parts[1].isdigit() or int(parts[1]) == 0:
        raise CgroupError(f"cpu.max: expected '<quota|max> <period>', got {text!r}")
    if parts[0] == "max":
        return None
    if not parts[0].isdigit():
        raise CgroupError(f"cpu.max: quota is not a number: {text!r}")
    return int(parts[0]) / int(parts[1])


def _bytes(name: str, text: str) -> int | None:
    if text == "max":
        return None
    if not text.isdigit():
        raise CgroupError(f"{name}: expected a byte count or 'max', got {text!r}")
    return int(text)


def _host_cores() -> int:
    return len(os.sched_getaffinity(0))


def read_resources(
    cgroup_root: pathlib.Path = CGROUP_ROOT, host_cores: Callable[[], int] = _host_cores
) -> Resources:
    """The limits under `cgroup_root`; cores are capped by the CPUs this process may use."""
    cores = host_cores()
    cpu_text = _read(cgroup_root / "cpu.max")
    quota = None if cpu_text is None else _cpu_quota(cpu_text)
    if quota is not None:
        cores = max(1, min(cores, math.ceil(quota)))
    mem_text = _read(cgroup_root / "memory.max")
    limit = None if mem_text is None else _bytes("memory.max", mem_text)
    return Resources(cpu_cores=cores, memory_limit_bytes=limit)


def read_memory_usage(cgroup_root: pathlib.Path = CGROUP_ROOT) -> int | None:
    """The cgroup's current memory use in bytes (None: no cgroup v2 accounting here)."""
    text = _read(cgroup_root / "memory.current")
    return None if text is None else _bytes("memory.current", text)


@dataclass(frozen=True, slots=True)
class LoaderPlan:
    """How to feed training: the batch size, loader workers and torch threads to use.

    `max_batch_size` is the cap the memory limit allows (None: no cap).
    """

    batch_size: int
    workers: int
    threads: int
    max_batch_size: int | None


def max_batch_size(memory_limit_bytes: int | None) -> int | None:
    """The batch size cap for a memory limit (None: unlimited memory, no cap)."""
    if memory_limit_bytes is None:
        return None
    for bound, cap in ((GIB, 64), (2 * GIB, 128), (4 * GIB, 256)):
        if memory_limit_bytes < bound:
            return cap
    return 512


def plan_loader(
    resources: Resources, requested_batch_size: int, max_workers: int = 2
) -> LoaderPlan:
    """The plan for `requested_batch_size` (>= 1) under `resources`.

    Workers: none under 2 GiB of memory or on one core, else up to `max_workers`, leaving
    one core to the training process. Threads: every usable core.
    """
    if requested_batch_size < 1:
        raise ValueError(f"batch size must be >= 1, got {requested_batch_size}")
    cap = max_batch_size(resources.memory_limit_bytes)
    batch = requested_batch_size if cap is None else min(requested_batch_size, cap)
    limit = resources.memory_limit_bytes
    low_memory = limit is not None and limit < 2 * GIB
    workers = 0 if low_memory else max(0, min(max_workers, resources.cpu_cores - 1))
    return LoaderPlan(
        batch_size=batch, workers=workers, threads=resources.cpu_cores, max_batch_size=cap
    )


def memory_threshold_pct(memory_limit_bytes: int) -> float:
    """The guard's threshold (percent of the limit) for a memory limit."""
    for bound, pct in ((GIB, 80.0), (2 * GIB, 85.0), (4 * GIB, 88.0)):
        if memory_limit_bytes < bound:
            return pct
    return 92.0


class MemoryGuard:
    """Stops a run under sustained memory pressure (see the module docstring).

    `usage` reads the current use in bytes (default: the cgroup's `memory.current`). A
    guard without a limit never trips.
    """

    def __init__(
        self,
        memory_limit_bytes: int | None,
        usage: Callable[[], int | None] = read_memory_usage,
        consecutive: int = 3,
    ) -> None:
        self.limit = memory_limit_bytes
        self.threshold_pct = (
            None if memory_limit_bytes is None else memory_threshold_pct(memory_limit_bytes)
        )
        self._usage = usage
        self._consecutive = consecutive
        self._strikes = 0

    def check(self) -> float | None:
        """The current use in percent of the limit (None without a limit or accounting);
        raises `MemoryPressureError` on the `consecutive`-th check in a row at or above
        the threshold."""
        if self.limit is None or self.threshold_pct is None:
            return None
        used = self._usage()
        if used is None:
            return None
        pct = 100.0 * used / self.limit
        self._strikes = self._strikes + 1 if pct >= self.threshold_pct else 0
        if self._strikes >= self._consecutive:
            raise MemoryPressureError(
                f"Training aborted due to sustained memory pressure (>= {self.threshold_pct:.0f}% "
                f"of {self.limit // MIB} MiB). Reduce batch size or DataLoader workers and retry."
            )
        return pct
