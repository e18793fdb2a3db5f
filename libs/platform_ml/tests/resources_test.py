"""cgroup limits, the loader plan and the memory guard (on cgroup files written here)."""

import pathlib

import pytest

from platform_ml import (
    CgroupError,
    MemoryGuard,
    MemoryPressureError,
    Resources,
    memory_threshold_pct,
    plan_loader,
    read_memory_usage,
    read_resources,
)
from platform_ml.resources import GIB, MIB, max_batch_size


def _cgroup(tmp_path: pathlib.Path, **files: str) -> pathlib.Path:
    for name, text in files.items():
        (tmp_path / name.replace("_", ".")).write_text(text + "\n", encoding="ascii")
    return tmp_path


def test_no_cgroup_files_mean_host_cores_and_no_limit(tmp_path: pathlib.Path) -> None:
    resources = read_resources(tmp_path, host_cores=lambda: 6)
    assert resources == Resources(cpu_cores=6, memory_limit_bytes=None)
    assert resources.memory_mb is None
    assert read_memory_usage(tmp_path) is None


def test_real_machine_has_at_least_one_core() -> None:
    assert read_resources().cpu_cores >= 1


def test_cpu_quota_and_memory_limit(tmp_path: pathlib.Path) -> None:
    root = _cgroup(tmp_path, cpu_max="150000 100000", memory_max=str(3 * GIB))
    resources = read_resources(root, host_cores=lambda: 16)
    assert resources.cpu_cores == 2
    assert resources.memory_mb == 3072


def test_quota_never_raises_cores_above_the_host(tmp_path: pathlib.Path) -> None:
    root = _cgroup(tmp_path, cpu_max="800000 100000", memory_max="max")
    assert read_resources(root, host_cores=lambda: 2) == Resources(2, None)


def test_unlimited_cpu(tmp_path: pathlib.Path) -> None:
    root = _cgroup(tmp_path, cpu_max="max 100000")
    assert read_resources(root, host_cores=lambda: 3).cpu_cores == 3


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("cpu_max", "100000", "cpu.max: expected"),
        ("cpu_max", "100000 0", "cpu.max: expected"),
        ("cpu_max", "lots 100000", "quota is not a number"),
        ("memory_max", "big", "memory.max: expected"),
    ],
)
def test_malformed_cgroup_files(tmp_path: pathlib.Path, name: str, text: str, error: str) -> None:
    with pytest.raises(CgroupError, match=error):
        read_resources(_cgroup(tmp_path, **{name: text}), host_cores=lambda: 1)


def test_memory_usage(tmp_path: pathlib.Path) -> None:
    assert read_memory_usage(_cgroup(tmp_path, memory_current="4096")) == 4096


@pytest.mark.parametrize(
    ("limit", "cap"),
    [(None, None), (GIB // 2, 64), (GIB, 128), (3 * GIB, 256), (8 * GIB, 512)],
)
def test_batch_cap_by_memory(limit: int | None, cap: int | None) -> None:
    assert max_batch_size(limit) == cap


def test_plan_caps_the_batch_and_sizes_workers() -> None:
    plan = plan_loader(Resources(cpu_cores=4, memory_limit_bytes=GIB // 2), 512)
    assert (plan.batch_size, plan.workers, plan.threads, plan.max_batch_size) == (64, 0, 4, 64)
    roomy = plan_loader(Resources(cpu_cores=8, memory_limit_bytes=None), 1000)
    assert (roomy.batch_size, roomy.workers, roomy.max_batch_size) == (1000, 2, None)
    single = plan_loader(Resources(cpu_cores=1, memory_limit_bytes=8 * GIB), 32)
    assert (single.batch_size, single.workers) == (32, 0)
    with pytest.raises(ValueError, match="batch size must be >= 1"):
        plan_loader(Resources(cpu_cores=1, memory_limit_bytes=None), 0)


@pytest.mark.parametrize(
    ("limit", "pct"), [(GIB // 2, 80.0), (GIB, 85.0), (3 * GIB, 88.0), (4 * GIB, 92.0)]
)
def test_thresholds(limit: int, pct: float) -> None:
    assert memory_threshold_pct(limit) == pct


def test_guard_trips_on_sustained_pressure_only() -> None:
    readings = iter([95, 95, 10, 95, 95, 95])
    guard = MemoryGuard(100 * MIB, usage=lambda: next(readings) * MIB)
    assert guard.check() == 95.0
    assert guard.check() == 95.0
    assert guard.check() == 10.0
    guard.check()
    guard.check()
    with pytest.raises(
        MemoryPressureError, match=r"sustained memory pressure \(>= 80% of 100 MiB\)"
    ):
        guard.check()


def test_guard_without_limit_or_accounting_never_trips() -> None:
    assert MemoryGuard(None).check() is None
    assert MemoryGuard(GIB, usage=lambda: None).check() is None
