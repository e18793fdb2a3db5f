"""Device and precision: what `auto` means, and the autocast/scaler pair for a choice.

`auto` device is CUDA when torch sees a GPU, else the CPU; `auto` precision is fp16 on
CUDA (autocast + gradient scaling) and fp32 on the CPU. Asking for CUDA without a GPU, or
for fp16/bf16 on the CPU, is a `DeviceError` (the original silently trained on whatever
it found, or failed later inside torch).
"""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import torch

DeviceRequest = Literal["auto", "cpu", "cuda"]
Device = Literal["cpu", "cuda"]
PrecisionRequest = Literal["auto", "fp32", "fp16", "bf16"]
Precision = Literal["fp32", "fp16", "bf16"]


class DeviceError(RuntimeError):
    """The requested device or precision cannot be used on this machine."""


def cuda_available() -> bool:
    """Whether torch sees a CUDA device."""
    return torch.cuda.is_available()


def resolve_device(requested: DeviceRequest, *, has_cuda: bool) -> Device:
    """The device for `requested`: `auto` picks CUDA when `has_cuda`, else the CPU."""
    if requested == "auto":
        return "cuda" if has_cuda else "cpu"
    if requested == "cuda" and not has_cuda:
        raise DeviceError("CUDA requested but not available")
    return requested


def resolve_precision(requested: PrecisionRequest, device: Device) -> Precision:
    """The precision for `requested` on `device`: `auto` is fp16 on CUDA, fp32 on the CPU."""
    if requested == "auto":
        return "fp16" if device == "cuda" else "fp32"
    if requested != "fp32" and device == "cpu":
        raise DeviceError(f"precision {requested} needs CUDA; use fp32 on the CPU")
    return requested


_DTYPES: dict[Precision, torch.dtype] = {
    "fp32": torch.float32,
    "fp16": torch.float16,
    "bf16": torch.bfloat16,
}


@dataclass(frozen=True, slots=True)
class Compute:
    """A resolved device and precision."""

    device: Device
    precision: Precision

    @property
    def torch_device(self) -> torch.device:
        """The `torch.device`."""
        return torch.device(self.device)

    @contextlib.contextmanager
    def autocast(self) -> Iterator[None]:
        """Mixed precision for the forward pass (a no-op for fp32)."""
        if self.precision == "fp32":
            yield
            return
        with torch.autocast(device_type=self.device, dtype=_DTYPES[self.precision]):
            yield

    def grad_scaler(self) -> torch.amp.GradScaler:
        """The gradient scaler: enabled for fp16 only (bf16 and fp32 need none)."""
        return torch.amp.GradScaler(self.device, enabled=self.precision == "fp16")


def select_compute(
    device: DeviceRequest = "auto",
    precision: PrecisionRequest = "auto",
    *,
    has_cuda: bool | None = None,
) -> Compute:
    """Resolve both; `has_cuda` defaults to what torch sees."""
    gpu = cuda_available() if has_cuda is None else has_cuda
    chosen = resolve_device(device, has_cuda=gpu)
    return Compute(chosen, resolve_precision(precision, chosen))
