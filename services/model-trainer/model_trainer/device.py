"""Where a run computes: device and precision from the request, and the autocast context.

`auto` picks CUDA when it is available, else the CPU; `fp16`/`bf16` need CUDA (the CPU
runs fp32) and an explicit `cuda` request without a GPU is refused with a clear error,
never silently downgraded. Kept in one small module so that it can be swapped for the
shared `platform_ml` device selection once that lib is on main.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Literal

import torch

DeviceRequest = Literal["cpu", "cuda", "auto"]
PrecisionRequest = Literal["fp32", "fp16", "bf16", "auto"]
Device = Literal["cpu", "cuda"]
Precision = Literal["fp32", "fp16", "bf16"]


class DeviceUnavailableError(Exception):
    """The requested device or precision cannot be used on this machine."""


@dataclass(frozen=True, slots=True)
class Placement:
    """A resolved device and precision."""

    device: Device
    precision: Precision

    def autocast(self) -> AbstractContextManager[None]:
        """The autocast context of a forward pass (none for fp32)."""
        if self.precision == "fp32":
            return nullcontext()
        dtype = torch.float16 if self.precision == "fp16" else torch.bfloat16
        return torch.autocast(device_type=self.device, dtype=dtype)


def cuda_available() -> bool:
    """Whether torch sees a CUDA device."""
    return torch.cuda.is_available()


def resolve_placement(
    device: DeviceRequest,
    precision: PrecisionRequest,
    *,
    has_cuda: Callable[[], bool] = cuda_available,
) -> Placement:
    """The device and precision a request asks for, or `DeviceUnavailableError`.

    `auto` device: CUDA when available, else CPU. `auto` precision: fp16 on CUDA, fp32 on
    the CPU. `cuda` without a GPU and fp16/bf16 on the CPU are refused.
    """
    if device == "auto":
        resolved: Device = "cuda" if has_cuda() else "cpu"
    elif device == "cuda" and not has_cuda():
        raise DeviceUnavailableError("CUDA requested but not available")
    else:
        resolved = device
    if precision == "auto":
        return Placement(resolved, "fp16" if resolved == "cuda" else "fp32")
    if precision != "fp32" and resolved == "cpu":
        raise DeviceUnavailableError(f"precision {precision} needs CUDA; the CPU runs fp32")
    return Placement(resolved, precision)
