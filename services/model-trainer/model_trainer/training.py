"""The training loop: chunked next-token batches, early stopping on the validation loss,
the best checkpoint kept, test evaluation, and a stop flag checked before every step.

Synchronous and CPU-bound: the worker runs it in a thread (`platform_core.blocking`) and
sets `stop` to cancel it, which ends it with `TrainingCancelledError` before the next
step. Every step is reported through `report` (the worker turns reports into events and
run-log lines). Changes from the original: the best checkpoint (lowest validation loss)
is the one kept, not overwritten by the final weights; targets are shifted; pads are
masked; the learning rate is capped when fine-tuning.
"""

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
from torch import Tensor
from torch.nn import functional

from model_trainer.families import LanguageModel, load_weights, save_language_model
from model_trainer.text_tokenizers import EOS_ID, PAD_ID, TextTokenizer
from platform_ml import Compute

Optimizer = Literal["adamw", "adam", "sgd"]
MAX_LOSS_FOR_PPL = 20.0


class TrainingCancelledError(Exception):
    """The stop flag was set: training ended before its next step."""

    def __init__(self) -> None:
        super().__init__("Training cancelled")


class TrainingDivergedError(Exception):
    """The training loss stopped being a finite number."""


def perplexity(loss: float) -> float:
    """exp(loss), capped at exp(20): the original's infinity cannot travel in JSON."""
    return math.exp(min(loss, MAX_LOSS_FOR_PPL))


@dataclass(frozen=True, slots=True)
class TrainOptions:
    """The hyper-parameters of one run."""

    num_epochs: int
    batch_size: int
    learning_rate: float
    optimizer: Optimizer
    gradient_clipping: float
    early_stopping_patience: int
    seed: int
    freeze_embed: bool = False
    max_steps: int | None = None


@dataclass(frozen=True, slots=True)
class StepReport:
    """One optimizer step (`val_*` set on the report that ends an epoch)."""

    epoch: int
    step: int
    train_loss: float
    grad_norm: float
    samples_per_sec: float
    tokens: int
    val_loss: float | None = None


@dataclass(frozen=True, slots=True)
class TrainOutcome:
    """What a finished run measured."""

    steps: int
    epochs: int
    train_loss: float
    best_val_loss: float
    test_loss: float
    early_stopped: bool
    tokens: int
    seconds: float
    train_seconds: float


def chunk_ids(tokenizer: TextTokenizer, lines: Sequence[str], seq_len: int) -> Tensor:
    """Each line's ids and `[EOS]`, concatenated and cut into rows of `seq_len`, the last
    row padded with `[PAD]` (masked out of the loss)."""
    ids: list[int] = []
    for line in lines:
        ids.extend(tokenizer.encode(line))
        ids.append(EOS_ID)
    rows = max(1, math.ceil(len(ids) / seq_len))
    ids.extend([PAD_ID] * (rows * seq_len - len(ids)))
    return torch.tensor(ids, dtype=torch.long).view(rows, seq_len)


def next_token_loss(logits: Tensor, input_ids: Tensor) -> Tensor:
    """Mean cross-entropy of each position's logits against the next id, pads ignored."""
    vocab = logits.shape[-1]
    return functional.cross_entropy(
        logits[:, :-1].reshape(-1, vocab).float(),
        input_ids[:, 1:].reshape(-1),
        ignore_index=PAD_ID,
    )


def evaluate_loss(model: LanguageModel, rows: Tensor, placement: Compute, batch_size: int) -> float:
    """The mean next-token loss over `rows` (weighted by counted tokens)."""
    model.eval()
    total, counted = 0.0, 0
    with torch.no_grad():
        for start in range(0, rows.shape[0], batch_size):
            batch = rows[start : start + batch_size].to(placement.device)
            with placement.autocast():
                logits = model.logits(batch)
            tokens = int((batch[:, 1:] != PAD_ID).sum().item())
            if tokens:
                total += float(next_token_loss(logits, batch).item()) * tokens
                counted += tokens
    model.train()
    return total / counted if counted else 0.0


def _optimizer(
    name: Optimizer, params: list[torch.nn.Parameter], lr: float
) -> torch.optim.Optimizer:
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    return torch.optim.SGD(params, lr=lr)


@dataclass(frozen=True, slots=True)
class Datasets:
    """The chunked splits."""

    train: Tensor
    validation: Tensor
    test: Tensor


class _Stepper:
    """One optimizer step: forward under autocast, scaled backward, clipping, update."""

    def __init__(self, model: LanguageModel, options: TrainOptions, placement: Compute) -> None:
        self.model = model
        self.placement = placement
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = _optimizer(options.optimizer, self.params, options.learning_rate)
        self.scaler = placement.grad_scaler()
        self.clip = options.gradient_clipping if options.gradient_clipping > 0 else math.inf

    def step(self, batch: Tensor) -> tuple[float, float]:
        """Train on `batch`; its loss and the gradient norm before clipping."""
        self.optimizer.zero_grad(set_to_none=True)
        with self.placement.autocast():
            loss = next_token_loss(self.model.logits(batch), batch)
        torch.autograd.backward(self.scaler.scale(loss))
        self.scaler.unscale_(self.optimizer)
        grad_norm = float(torch.nn.utils.clip_grad_norm_(self.params, self.clip).item())
        self.scaler.step(self.optimizer)
        self.scaler.update()
        return float(loss.item()), grad_norm


def train(
    model: LanguageModel,
    data: Datasets,
    options: TrainOptions,
    placement: Compute,
    out_dir: Path,
    *,
    report: Callable[[StepReport], None],
    stop: threading.Event,
) -> TrainOutcome:
    """Train `model` on `data.train`; keep the checkpoint with the lowest validation loss
    in `out_dir`; load it back and measure the test loss."""
    torch.manual_seed(options.seed)
    generator = torch.Generator().manual_seed(options.seed)
    model.to(placement.device)
    model.train()
    if options.freeze_embed:
        for param in model.embedding_parameters():
            param.requires_grad_(False)
    stepper = _Stepper(model, options, placement)
    best_val, no_improve, step, tokens, train_loss = math.inf, 0, 0, 0, math.nan
    early_stopped, saved, epoch, train_seconds = False, False, 0, 0.0
    started = time.perf_counter()
    for epoch in range(1, options.num_epochs + 1):
        order = torch.randperm(data.train.shape[0], generator=generator)
        for start in range(0, order.shape[0], options.batch_size):
            if stop.is_set():
                raise TrainingCancelledError
            if options.max_steps is not None and step >= options.max_steps:
                break
            batch = data.train[order[start : start + options.batch_size]].to(placement.device)
            tick = time.perf_counter()
            train_loss, grad_norm = stepper.step(batch)
            step += 1
            tokens += int((batch != PAD_ID).sum().item())
            if not math.isfinite(train_loss):
                raise TrainingDivergedError(f"the training loss is {train_loss} at step {step}")
            elapsed = max(time.perf_counter() - tick, 1e-9)
            report(StepReport(epoch, step, train_loss, grad_norm, batch.shape[0] / elapsed, tokens))
            train_seconds += time.perf_counter() - tick
        val_loss = evaluate_loss(model, data.validation, placement, options.batch_size)
        report(StepReport(epoch, step, train_loss, 0.0, 0.0, tokens, val_loss=val_loss))
        # The first epoch's checkpoint is always saved (a NaN loss is never "lower").
        if val_loss < best_val or not saved:
            best_val, no_improve, saved = val_loss, 0, True
            save_language_model(model, out_dir)
        else:
            no_improve += 1
        if no_improve >= options.early_stopping_patience:
            early_stopped = True
            break
        if options.max_steps is not None and step >= options.max_steps:
            break
    load_weights(model, out_dir)
    test_loss = evaluate_loss(model, data.test, placement, options.batch_size)
    return TrainOutcome(
        steps=step,
        epochs=epoch,
        train_loss=train_loss,
        best_val_loss=best_val,
        test_loss=test_loss,
        early_stopped=early_stopped,
        tokens=tokens,
        seconds=time.perf_counter() - started,
        train_seconds=train_seconds,
    )
