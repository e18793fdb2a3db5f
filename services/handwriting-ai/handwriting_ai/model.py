"""The CIFAR-stem ResNet-18 for 1x28x28 digits, with torchvision's parameter names.

torchvision's `resnet18(num_classes=10)` with `conv1` replaced by a 3x3, stride-1,
single-channel convolution and `maxpool` by an identity: the same modules under the same
names (`conv1`, `bn1`, `layer1.0.conv1`, `layer2.0.downsample.0`, ..., `fc`), so a state
dict saved by either loads into the other. It is written out here because PyPI's
torchvision does not import beside the CPU build of torch this platform locks
(torch 2.13.0+cpu), and because every call below is typed (`.forward`, not the untyped
`Module.__call__`).

`validate_state_dict` is the structural check an uploaded or downloaded model passes
before it may serve: the exact key set of this network and every tensor's shape.
"""

import torch
from torch import nn

from platform_ml import StateDict, WeightsError, module_state

STAGES = ((64, 1), (128, 2), (256, 2), (512, 2))
ARCH = "resnet18"


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a residual connection (torchvision's `BasicBlock`)."""

    def __init__(self, inplanes: int, planes: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        # Typed references in a tuple (a plain attribute, not registered a second time).
        self.shortcut: tuple[Downsample, ...] = ()
        if stride != 1 or inplanes != planes:
            self.shortcut = (Downsample(inplanes, planes, stride),)
            self.add_module("downsample", self.shortcut[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The block's output."""
        out = torch.relu(self.bn1.forward(self.conv1.forward(x)))
        out = self.bn2.forward(self.conv2.forward(out))
        identity = self.shortcut[0].forward(x) if self.shortcut else x
        return torch.relu(out + identity)


class Downsample(nn.Module):
    """A 1x1 convolution and batch norm under the names `0` and `1` (torchvision's
    `Sequential`)."""

    def __init__(self, inplanes: int, planes: int, stride: int) -> None:
        super().__init__()
        self.parts = (
            nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False),
            nn.BatchNorm2d(planes),
        )
        self.add_module("0", self.parts[0])
        self.add_module("1", self.parts[1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The projected shortcut."""
        return self.parts[1].forward(self.parts[0].forward(x))


class Stage(nn.Module):
    """Two blocks under the names `0` and `1` (torchvision's `layerN` Sequential)."""

    def __init__(self, inplanes: int, planes: int, stride: int) -> None:
        super().__init__()
        self.blocks = (BasicBlock(inplanes, planes, stride), BasicBlock(planes, planes, 1))
        for index, block in enumerate(self.blocks):
            self.add_module(str(index), block)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The stage's output."""
        for block in self.blocks:
            x = block.forward(x)
        return x


class DigitResNet(nn.Module):
    """ResNet-18 with the CIFAR stem: 1x28x28 in, `n_classes` logits out."""

    def __init__(self, n_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        stages: list[Stage] = []
        inplanes = 64
        for planes, stride in STAGES:
            stages.append(Stage(inplanes, planes, stride))
            inplanes = planes
        self.stages = tuple(stages)
        for index, stage in enumerate(self.stages, start=1):
            self.add_module(f"layer{index}", stage)
        self.fc = nn.Linear(512, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for a batch Nx1x28x28."""
        out = torch.relu(self.bn1.forward(self.conv1.forward(x)))
        for stage in self.stages:
            out = stage.forward(out)
        return self.fc.forward(out.mean(dim=(2, 3)))


def validate_state_dict(state: StateDict, n_classes: int) -> None:
    """Raise `WeightsError` unless `state` has exactly this network's keys and shapes."""
    reference = module_state(DigitResNet(n_classes))
    missing = sorted(set(reference) - set(state))
    unexpected = sorted(set(state) - set(reference))
    if missing or unexpected:
        raise WeightsError(
            f"not a {ARCH} with {n_classes} classes: missing {missing[:3]}, "
            f"unexpected {unexpected[:3]}"
        )
    for name, tensor in reference.items():
        if tuple(state[name].shape) != tuple(tensor.shape):
            raise WeightsError(
                f"{name} has shape {list(state[name].shape)}, expected {list(tensor.shape)}"
            )


def build_model(state: StateDict, n_classes: int) -> DigitResNet:
    """A network in eval mode holding `state` (validated first)."""
    validate_state_dict(state, n_classes)
    model = DigitResNet(n_classes)
    model.load_state_dict(state, strict=True)
    model.eval()
    return model
