"""Device and precision selection, autocast and the scaler."""

import warnings

import pytest
import torch

from platform_ml import (
    Compute,
    DeviceError,
    cuda_available,
    resolve_device,
    resolve_precision,
    select_compute,
)


def test_auto_device_follows_the_gpu() -> None:
    assert resolve_device("auto", has_cuda=True) == "cuda"
    assert resolve_device("auto", has_cuda=False) == "cpu"
    assert resolve_device("cpu", has_cuda=True) == "cpu"
    assert resolve_device("cuda", has_cuda=True) == "cuda"


def test_cuda_without_a_gpu_is_refused() -> None:
    with pytest.raises(DeviceError, match="CUDA requested but not available"):
        resolve_device("cuda", has_cuda=False)


def test_auto_precision_is_fp16_on_cuda_and_fp32_on_cpu() -> None:
    assert resolve_precision("auto", "cuda") == "fp16"
    assert resolve_precision("auto", "cpu") == "fp32"
    assert resolve_precision("bf16", "cuda") == "bf16"
    assert resolve_precision("fp32", "cpu") == "fp32"


@pytest.mark.parametrize("precision", ["fp16", "bf16"])
def test_half_precision_on_cpu_is_refused(precision: str) -> None:
    with pytest.raises(DeviceError, match="needs CUDA"):
        resolve_precision("fp16" if precision == "fp16" else "bf16", "cpu")


def test_select_compute_uses_what_torch_sees() -> None:
    chosen = select_compute()
    assert chosen.device == ("cuda" if cuda_available() else "cpu")
    assert select_compute("auto", "auto", has_cuda=True) == Compute("cuda", "fp16")
    assert select_compute("cpu", has_cuda=True).torch_device == torch.device("cpu")


def test_fp32_autocast_keeps_float32_and_the_scaler_is_off() -> None:
    compute = Compute("cpu", "fp32")
    with compute.autocast():
        product = torch.ones(2, 2) @ torch.ones(2, 2)
    assert product.dtype == torch.float32
    assert not compute.grad_scaler().is_enabled()


def test_half_precision_autocast_casts_matmuls() -> None:
    # bf16 autocast on the CPU device type is what torch supports without a GPU; the
    # code path is the one CUDA fp16 takes.
    with Compute("cpu", "bf16").autocast():
        product = torch.ones(2, 2) @ torch.ones(2, 2)
    assert product.dtype == torch.bfloat16


def test_fp16_scaler_is_enabled_where_cuda_exists() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scaler = Compute("cuda", "fp16").grad_scaler()
    assert scaler.is_enabled() == cuda_available()
