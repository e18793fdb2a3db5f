"""Device and precision selection."""

from contextlib import nullcontext

import pytest
import torch

from model_trainer.device import (
    DeviceUnavailableError,
    Placement,
    cuda_available,
    resolve_placement,
)


def gpu() -> bool:
    return True


def no_gpu() -> bool:
    return False


def test_auto_is_cuda_with_fp16_on_a_gpu_host() -> None:
    assert resolve_placement("auto", "auto", has_cuda=gpu) == Placement("cuda", "fp16")


def test_auto_is_cpu_with_fp32_without_a_gpu() -> None:
    assert resolve_placement("auto", "auto", has_cuda=no_gpu) == Placement("cpu", "fp32")


def test_explicit_requests_are_kept_when_possible() -> None:
    assert resolve_placement("cuda", "bf16", has_cuda=gpu) == Placement("cuda", "bf16")
    assert resolve_placement("cpu", "fp32", has_cuda=gpu) == Placement("cpu", "fp32")


def test_cuda_without_a_gpu_is_refused() -> None:
    with pytest.raises(DeviceUnavailableError, match="CUDA requested but not available"):
        resolve_placement("cuda", "auto", has_cuda=no_gpu)


def test_half_precision_on_the_cpu_is_refused() -> None:
    with pytest.raises(DeviceUnavailableError, match="precision fp16 needs CUDA"):
        resolve_placement("cpu", "fp16", has_cuda=gpu)


def test_this_machine_runs_on_the_cpu() -> None:
    assert cuda_available() is torch.cuda.is_available()
    assert resolve_placement("auto", "auto").device == ("cuda" if cuda_available() else "cpu")


def test_autocast_only_below_fp32() -> None:
    assert isinstance(Placement("cpu", "fp32").autocast(), nullcontext)
    with Placement("cpu", "bf16").autocast():
        assert torch.get_autocast_dtype("cpu") == torch.bfloat16
    with Placement("cpu", "fp16").autocast():
        assert torch.get_autocast_dtype("cpu") == torch.float16
