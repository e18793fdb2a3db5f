"""Classifying one preprocessed digit, optionally with test-time augmentation.

TTA (the original's `DIGITS__TTA`) averages the softmax over nine views: the input, ±1
pixel shifts in x and in y, and rotations of -6°, -3°, +3° and +6° (bilinear, zero
padding). Logits are divided by the model's temperature (1.0 unless a manifest says
otherwise) before the softmax. The digit is the first most probable class.
"""

import math
from dataclasses import dataclass

import torch
from torch.nn import functional

from handwriting_ai.model import DigitResNet
from handwriting_ai.tensors import tensor_floats

TTA_ANGLES_DEG = (-6.0, -3.0, 3.0, 6.0)


@dataclass(frozen=True, slots=True)
class Prediction:
    """The digit, its probability and every class's probability."""

    digit: int
    confidence: float
    probs: list[float]


def _rotated(x: torch.Tensor, degrees: float) -> torch.Tensor:
    radians = math.radians(degrees)
    cos, sin = math.cos(radians), math.sin(radians)
    values: list[float] = [cos, -sin, 0.0, sin, cos, 0.0]
    theta = torch.tensor(values, dtype=x.dtype).reshape(1, 2, 3)
    grid = functional.affine_grid(theta, list(x.shape), align_corners=False)
    return functional.grid_sample(
        x, grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )


def tta_views(x: torch.Tensor) -> torch.Tensor:
    """The nine views of a 1x1x28x28 input (9x1x28x28)."""
    views = [x]
    for shift in (1, -1):
        views.append(torch.roll(x, shifts=shift, dims=3))
        views.append(torch.roll(x, shifts=shift, dims=2))
    views.extend(_rotated(x, angle) for angle in TTA_ANGLES_DEG)
    return torch.cat(views)


def predict(
    model: DigitResNet, x: torch.Tensor, *, tta: bool = False, temperature: float = 1.0
) -> Prediction:
    """Classify a 1x1x28x28 input."""
    batch = tta_views(x) if tta else x
    with torch.inference_mode():
        logits = model.forward(batch) / temperature
        probs = torch.softmax(logits, dim=1).mean(dim=0)
    values = tensor_floats(probs)
    digit = max(range(len(values)), key=values.__getitem__)
    return Prediction(digit=digit, confidence=values[digit], probs=values)
