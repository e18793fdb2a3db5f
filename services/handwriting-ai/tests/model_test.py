"""The network's names and shapes, validation, inference with and without TTA."""

import pytest
import torch

from handwriting_ai.inference import predict, tta_views
from handwriting_ai.model import DigitResNet, build_model, validate_state_dict
from platform_ml import WeightsError, module_state

# torchvision's resnet18 state dict keys, as printed by
# `torchvision.models.resnet18().state_dict().keys()` (a sample of each kind).
TORCHVISION_KEYS = [
    "conv1.weight",
    "bn1.running_mean",
    "bn1.num_batches_tracked",
    "layer1.0.conv1.weight",
    "layer1.1.bn2.bias",
    "layer2.0.downsample.0.weight",
    "layer2.0.downsample.1.running_var",
    "layer4.1.conv2.weight",
    "fc.weight",
    "fc.bias",
]


def test_torchvision_parameter_names_and_shapes() -> None:
    state = module_state(DigitResNet())
    assert len(state) == 122  # as torchvision's resnet18
    for key in TORCHVISION_KEYS:
        assert key in state, key
    assert "layer1.0.downsample.0.weight" not in state
    assert tuple(state["conv1.weight"].shape) == (64, 1, 3, 3)
    assert tuple(state["fc.weight"].shape) == (10, 512)
    assert (
        sum(
            t.numel()
            for name, t in state.items()
            if not name.endswith("num_batches_tracked") and "running" not in name
        )
        == 11_172_810
    )


def test_validation() -> None:
    state = module_state(DigitResNet())
    validate_state_dict(state, 10)
    with pytest.raises(WeightsError, match="not a resnet18 with 10 classes"):
        validate_state_dict({k: v for k, v in state.items() if k != "fc.bias"}, 10)
    with pytest.raises(WeightsError, match="not a resnet18 with 10 classes"):
        validate_state_dict({**state, "extra": torch.ones(1)}, 10)
    with pytest.raises(
        WeightsError, match=r"fc\.weight has shape \[10, 512\], expected \[12, 512\]"
    ):
        validate_state_dict(state, 12)


def test_build_and_predict() -> None:
    torch.manual_seed(0)
    model = build_model(module_state(DigitResNet()), 10)
    assert not model.training
    x = torch.randn(1, 1, 28, 28)
    plain = predict(model, x)
    assert len(plain.probs) == 10
    assert sum(plain.probs) == pytest.approx(1.0, abs=1e-5)
    assert plain.confidence == max(plain.probs)
    assert plain.probs[plain.digit] == plain.confidence
    tta = predict(model, x, tta=True)
    assert sum(tta.probs) == pytest.approx(1.0, abs=1e-5)
    flat = predict(model, x, temperature=1000.0)
    assert max(flat.probs) - min(flat.probs) < plain.confidence - min(plain.probs)


def test_tta_views() -> None:
    x = torch.arange(28 * 28, dtype=torch.float32).reshape(1, 1, 28, 28)
    views = tta_views(x)
    assert views.shape == (9, 1, 28, 28)
    assert torch.equal(views[0], x[0])
    assert torch.equal(views[1], torch.roll(x, 1, dims=3)[0])
    assert not torch.equal(views[5], x[0])
