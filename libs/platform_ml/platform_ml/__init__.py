"""`platform_ml`: the plumbing every PyTorch service needs, and nothing service-specific.

- `compute`: device and precision selection (`auto` → CUDA with fp16 autocast where a GPU
  is present, else CPU fp32), autocast and the gradient scaler for the chosen pair.
- `resources`: the machine's cgroup v2 CPU and memory limits, a loader plan (batch size,
  loader workers, torch threads) sized from them, and a memory guard that stops a run with
  a clear error before the kernel's OOM killer would.
- `weights`: state dicts saved atomically and loaded with `torch.load(weights_only=True)`
  onto the CPU, checked to be a flat `str → Tensor` mapping, plus a shape checker for
  structural validation.
- `seeding`: one call to seed Python and torch, and to set torch's thread count.
"""

from platform_ml.compute import (
    Compute,
    Device,
    DeviceError,
    DeviceRequest,
    Precision,
    PrecisionRequest,
    cuda_available,
    resolve_device,
    resolve_precision,
    select_compute,
)
from platform_ml.resources import (
    CGROUP_ROOT,
    CgroupError,
    LoaderPlan,
    MemoryGuard,
    MemoryPressureError,
    Resources,
    memory_threshold_pct,
    plan_loader,
    read_memory_usage,
    read_resources,
)
from platform_ml.seeding import configure_threads, seed_everything
from platform_ml.weights import (
    ShapeSpec,
    StateDict,
    WeightsError,
    check_shapes,
    load_state_dict,
    module_state,
    save_state_dict,
    state_dict_bytes,
)

__all__ = [
    "CGROUP_ROOT",
    "CgroupError",
    "Compute",
    "Device",
    "DeviceError",
    "DeviceRequest",
    "LoaderPlan",
    "MemoryGuard",
    "MemoryPressureError",
    "Precision",
    "PrecisionRequest",
    "Resources",
    "ShapeSpec",
    "StateDict",
    "WeightsError",
    "check_shapes",
    "configure_threads",
    "cuda_available",
    "load_state_dict",
    "memory_threshold_pct",
    "module_state",
    "plan_loader",
    "read_memory_usage",
    "read_resources",
    "resolve_device",
    "resolve_precision",
    "save_state_dict",
    "seed_everything",
    "select_compute",
    "state_dict_bytes",
]
