"""The training loop: the original's augmentations, optimiser and schedule, on prepared data.

Data: each MNIST image goes through the service's own preprocessing once
(`prepare_split`), so the network trains on exactly what `/v1/read` feeds it. The
original re-ran the whole pipeline for every augmented sample; here augmentation runs
on the prepared tensors (random rotation ±`aug_rotate`°, translation ±`aug_translate` of
the side, salt-and-pepper noise, random dots), batched in torch. Only the training split
is augmented (the original augmented its test split too).

Optimiser AdamW (weight decay 0.01), cosine schedule (η_min 1e-5, T_max = epochs),
cross-entropy, autocast + gradient scaling on CUDA fp16 (`platform_ml.Compute`). After
each epoch the test split's accuracy is measured; the best state (an improvement above
`min_delta`) is the result. `Hooks` receives batch/epoch/best metrics, is asked before
every batch whether to stop (cancellation: `TrainingCancelledError`), and checks memory.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import torch
from torch.nn import functional

from handwriting_ai.idx import Split
from handwriting_ai.model import DigitResNet
from handwriting_ai.preprocess import MEAN, STD, preprocess_mnist
from handwriting_ai.tensors import tensor_ints
from platform_ml import Compute, StateDict, module_state, seed_everything

BACKGROUND = (1.0 - MEAN) / STD
INK = (0.0 - MEAN) / STD


class TrainingCancelledError(Exception):
    """The run was asked to stop; it stopped before the next batch."""


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """One run's settings (the original's fixed values as defaults)."""

    epochs: int
    batch_size: int
    lr: float
    seed: int
    augment: bool = False
    weight_decay: float = 0.01
    eta_min: float = 1e-5
    min_delta: float = 5e-4
    aug_rotate: float = 10.0
    aug_translate: float = 0.1
    noise_prob: float = 0.15
    noise_salt: float = 0.5
    dots_prob: float = 0.20
    dots_count: int = 3
    dots_size: int = 2
    progress_every: int = 10


@dataclass(frozen=True, slots=True)
class Prepared:
    """Preprocessed inputs (Nx1x28x28 float32) and labels (N int64)."""

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.y.shape[0])


def prepare_split(split: Split, limit: int | None = None) -> Prepared:
    """Preprocess the first `limit` (all when None) images of a split."""
    count = len(split) if limit is None else min(limit, len(split))
    if count == 0:
        raise ValueError("the split holds no images")
    x = torch.stack([preprocess_mnist(split.images[i]) for i in range(count)])
    return Prepared(x, split.labels[:count].clone())


@dataclass(frozen=True, slots=True)
class BatchMetrics:
    """One batch (1-based `epoch`/`batch`)."""

    epoch: int
    batch: int
    total_batches: int
    batch_loss: float
    batch_acc: float
    avg_loss: float
    samples_per_sec: float


@dataclass(frozen=True, slots=True)
class EpochMetrics:
    """One finished epoch."""

    epoch: int
    train_loss: float
    val_acc: float
    time_s: float
    improved: bool


class Hooks(Protocol):
    """What the loop reports to and asks of its caller (called on the training thread)."""

    def should_stop(self) -> bool:
        """Whether to stop before the next batch."""
        ...

    def on_batch(self, metrics: BatchMetrics) -> None:
        """A reported batch (the first, every `progress_every`-th and the last)."""
        ...

    def on_epoch(self, metrics: EpochMetrics) -> None:
        """An epoch ended."""
        ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """The best state, its test accuracy and the epoch it came from."""

    state: StateDict
    val_acc: float
    best_epoch: int


def augment_batch(x: torch.Tensor, config: TrainConfig, generator: torch.Generator) -> torch.Tensor:
    """Random rotation/translation, salt-and-pepper noise and dots on a prepared batch."""
    n = x.shape[0]
    angles = (torch.rand(n, generator=generator) * 2 - 1) * math.radians(config.aug_rotate)
    shifts = (torch.rand(n, 2, generator=generator) * 2 - 1) * config.aug_translate * 2
    cos, sin = torch.cos(angles), torch.sin(angles)
    theta = torch.stack(
        [
            torch.stack([cos, -sin, shifts[:, 0]], dim=1),
            torch.stack([sin, cos, shifts[:, 1]], dim=1),
        ],
        dim=1,
    )
    grid = functional.affine_grid(theta, list(x.shape), align_corners=False)
    # Sample the offset image so that the padding is the background, not zero.
    out = functional.grid_sample(x - BACKGROUND, grid, align_corners=False) + BACKGROUND
    noisy = torch.rand(n, generator=generator) < config.noise_prob
    flips = (torch.rand(x.shape, generator=generator) < 0.05) & noisy.view(n, 1, 1, 1)
    salt = torch.rand(x.shape, generator=generator) < config.noise_salt
    out = torch.where(flips, torch.where(salt, torch.full_like(out, BACKGROUND), INK), out)
    dotted = tensor_ints(torch.nonzero(torch.rand(n, generator=generator) < config.dots_prob))
    side = x.shape[-1] - config.dots_size
    for index in dotted:
        for _ in range(config.dots_count):
            r, c = tensor_ints(torch.randint(0, side, (2,), generator=generator))
            out[index, 0, r : r + config.dots_size, c : c + config.dots_size] = INK
    return out


def accuracy(model: DigitResNet, data: Prepared, batch_size: int, compute: Compute) -> float:
    """Top-1 accuracy on `data` (eval mode, no gradients)."""
    model.eval()
    correct = 0
    with torch.inference_mode():
        for start in range(0, len(data), batch_size):
            x = data.x[start : start + batch_size].to(compute.torch_device)
            y = data.y[start : start + batch_size].to(compute.torch_device)
            with compute.autocast():
                logits = model.forward(x)
            correct += int((logits.argmax(dim=1) == y).sum().item())
    return correct / len(data)


def train(
    train_data: Prepared,
    test_data: Prepared,
    config: TrainConfig,
    compute: Compute,
    hooks: Hooks,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> Outcome:
    """Train a fresh network; the best state by test accuracy."""
    seed_everything(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model = DigitResNet().to(compute.torch_device)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=config.epochs, eta_min=config.eta_min
    )
    scaler = compute.grad_scaler()
    total_batches = math.ceil(len(train_data) / config.batch_size)
    best: Outcome | None = None
    for epoch in range(1, config.epochs + 1):
        started = clock()
        model.train()
        order = torch.randperm(len(train_data), generator=generator)
        loss_sum = 0.0
        for batch in range(1, total_batches + 1):
            if hooks.should_stop():
                raise TrainingCancelledError(f"cancelled in epoch {epoch} before batch {batch}")
            index = order[(batch - 1) * config.batch_size : batch * config.batch_size]
            x = train_data.x[index]
            if config.augment:
                x = augment_batch(x, config, generator)
            x = x.to(compute.torch_device)
            y = train_data.y[index].to(compute.torch_device)
            optimizer.zero_grad(set_to_none=True)
            with compute.autocast():
                logits = model.forward(x)
                loss = functional.cross_entropy(logits, y)
            torch.autograd.backward(scaler.scale(loss))
            scaler.step(optimizer)
            scaler.update()
            batch_loss = float(loss.item())
            loss_sum += batch_loss
            if batch == 1 or batch % config.progress_every == 0 or batch == total_batches:
                elapsed = max(clock() - started, 1e-9)
                hooks.on_batch(
                    BatchMetrics(
                        epoch=epoch,
                        batch=batch,
                        total_batches=total_batches,
                        batch_loss=batch_loss,
                        batch_acc=float((logits.argmax(dim=1) == y).float().mean().item()),
                        avg_loss=loss_sum / batch,
                        samples_per_sec=min(batch * config.batch_size, len(train_data)) / elapsed,
                    )
                )
        schedule.step()
        val_acc = accuracy(model, test_data, max(config.batch_size, 256), compute)
        improved = best is None or val_acc > best.val_acc + config.min_delta
        if improved:
            state = {name: t.detach().to("cpu").clone() for name, t in module_state(model).items()}
            best = Outcome(state=state, val_acc=val_acc, best_epoch=epoch)
        hooks.on_epoch(
            EpochMetrics(
                epoch=epoch,
                train_loss=loss_sum / total_batches,
                val_acc=val_acc,
                time_s=clock() - started,
                improved=improved,
            )
        )
    if best is None:
        raise ValueError("epochs must be >= 1")
    return best
