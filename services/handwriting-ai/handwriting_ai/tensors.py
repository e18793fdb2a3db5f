"""Typed conversions between tensors and Python values (torch's own `.tolist()` and
`.numpy()` are typed with Any)."""

import ctypes
from array import array

import torch


def tensor_bytes(tensor: torch.Tensor) -> bytes:
    """The values as unsigned bytes, row-major, copied from memory in one call."""
    flat = tensor.to(torch.uint8).contiguous()
    return ctypes.string_at(flat.data_ptr(), flat.numel())


def tensor_ints(tensor: torch.Tensor) -> list[int]:
    """The values as Python ints, row-major."""
    flat = tensor.to(torch.int64).contiguous()
    return array("q", ctypes.string_at(flat.data_ptr(), flat.numel() * 8)).tolist()


def tensor_floats(tensor: torch.Tensor) -> list[float]:
    """The values as Python floats, row-major."""
    flat = tensor.detach().to(device="cpu", dtype=torch.float64).contiguous()
    return array("d", ctypes.string_at(flat.data_ptr(), flat.numel() * 8)).tolist()


def gray_tensor(data: bytes, width: int, height: int) -> torch.Tensor:
    """A heightxwidth uint8 tensor over a copy of 8-bit grayscale pixel bytes."""
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).reshape(height, width)
