"""The training loop at toy size on the bundled digits."""

import pathlib

import pytest
import torch

from handwriting_ai.idx import Split, load_mnist
from handwriting_ai.model import build_model
from handwriting_ai.training import (
    BACKGROUND,
    BatchMetrics,
    EpochMetrics,
    Prepared,
    TrainConfig,
    TrainingCancelledError,
    accuracy,
    augment_batch,
    prepare_split,
    train,
)
from platform_ml import Compute

CPU = Compute("cpu", "fp32")


class Recorder:
    """Hooks that record what the loop reports and stop after `stop_after` batches."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.batches: list[BatchMetrics] = []
        self.epochs: list[EpochMetrics] = []
        self.asked = 0
        self.stop_after = stop_after

    def should_stop(self) -> bool:
        self.asked += 1
        return self.stop_after is not None and self.asked > self.stop_after

    def on_batch(self, metrics: BatchMetrics) -> None:
        self.batches.append(metrics)

    def on_epoch(self, metrics: EpochMetrics) -> None:
        self.epochs.append(metrics)


@pytest.fixture(scope="module")
def tiny(digits_dir: pathlib.Path) -> tuple[Prepared, Prepared]:
    data = load_mnist(digits_dir)
    return prepare_split(data.train, 24), prepare_split(data.test, 8)


def test_prepare_split(digits_dir: pathlib.Path) -> None:
    split = load_mnist(digits_dir).test
    prepared = prepare_split(split, 3)
    assert prepared.x.shape == (3, 1, 28, 28)
    assert len(prepared) == 3
    assert torch.equal(prepared.y, split.labels[:3])
    empty = Split(torch.zeros(0, 28, 28, dtype=torch.uint8), torch.zeros(0, dtype=torch.int64))
    with pytest.raises(ValueError, match="no images"):
        prepare_split(empty)


def test_two_epochs_report_and_return_the_best(tiny: tuple[Prepared, Prepared]) -> None:
    train_data, test_data = tiny
    hooks = Recorder()
    # min_delta 1.0: only the first epoch can count as an improvement.
    config = TrainConfig(
        epochs=2, batch_size=6, lr=1e-3, seed=0, augment=True, progress_every=2, min_delta=1.0
    )
    outcome = train(train_data, test_data, config, CPU, hooks, clock=iter(range(1000)).__next__)
    reported = [(b.epoch, b.batch) for b in hooks.batches]
    assert reported == [(1, 1), (1, 2), (1, 4), (2, 1), (2, 2), (2, 4)]
    assert all(b.total_batches == 4 for b in hooks.batches)
    assert [(e.epoch, e.improved) for e in hooks.epochs] == [(1, True), (2, False)]
    assert outcome.best_epoch == 1
    assert outcome.val_acc == hooks.epochs[0].val_acc
    model = build_model(outcome.state, 10)
    assert accuracy(model, test_data, 4, CPU) == outcome.val_acc


def test_cancel_stops_before_the_next_batch(tiny: tuple[Prepared, Prepared]) -> None:
    train_data, test_data = tiny
    hooks = Recorder(stop_after=1)
    config = TrainConfig(epochs=1, batch_size=8, lr=1e-3, seed=0)
    with pytest.raises(TrainingCancelledError, match="before batch 2"):
        train(train_data, test_data, config, CPU, hooks)
    assert len(hooks.batches) == 1


def test_no_epochs(tiny: tuple[Prepared, Prepared]) -> None:
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        train(*tiny, TrainConfig(epochs=0, batch_size=8, lr=1e-3, seed=0), CPU, Recorder())


def test_augmentation_keeps_the_background() -> None:
    x = torch.full((4, 1, 28, 28), BACKGROUND)
    x[:, :, 10:18, 13:15] = -0.42
    config = TrainConfig(epochs=1, batch_size=4, lr=1e-3, seed=0, noise_prob=1.0, dots_prob=1.0)
    out = augment_batch(x, config, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    assert not torch.equal(out, x)
    assert float(out[:, :, 0, 0].mean().item()) > 1.0  # corners stay mostly background
