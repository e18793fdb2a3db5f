"""Typed tensor conversions."""

import torch

from handwriting_ai.tensors import gray_tensor, tensor_bytes, tensor_floats, tensor_ints


def test_round_trips() -> None:
    t = gray_tensor(bytes([1, 2, 3, 255]), 2, 2)
    assert tuple(t.shape) == (2, 2)
    assert tensor_bytes(t) == bytes([1, 2, 3, 255])
    assert tensor_ints(t.t()) == [1, 3, 2, 255]
    assert tensor_floats(torch.arange(3) / 2) == [0.0, 0.5, 1.0]
    assert tensor_bytes(torch.arange(250, 253)) == bytes([250, 251, 252])
