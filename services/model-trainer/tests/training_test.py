"""The training loop on toy sizes: steps, early stopping, the best checkpoint, cancel."""

import math
import pathlib
import threading
from dataclasses import replace

import pytest
import torch

from model_trainer.corpus import CorpusSplits
from model_trainer.families import (
    LanguageModel,
    ModelSpec,
    build_model,
    load_language_model,
)
from model_trainer.text_tokenizers import EOS_ID, PAD_ID, CharTokenizer, TextTokenizer
from model_trainer.training import (
    Datasets,
    StepReport,
    TrainingCancelledError,
    TrainingDivergedError,
    TrainOptions,
    chunk_ids,
    evaluate_loss,
    next_token_loss,
    perplexity,
    train,
)
from platform_ml import Compute


def longs(*rows: list[int]) -> torch.Tensor:
    """A batch of id rows as a long tensor."""
    data: list[list[int]] = list(rows)
    return torch.tensor(data, dtype=torch.long)


CPU = Compute("cpu", "fp32")
OPTIONS = TrainOptions(
    num_epochs=2,
    batch_size=8,
    learning_rate=0.01,
    optimizer="adamw",
    gradient_clipping=1.0,
    early_stopping_patience=3,
    seed=1,
    max_steps=3,
)


@pytest.fixture(scope="module")
def tokenizer(splits: CorpusSplits) -> TextTokenizer:
    return CharTokenizer.train(splits.train)


@pytest.fixture(scope="module")
def data(tokenizer: TextTokenizer, splits: CorpusSplits) -> Datasets:
    return Datasets(
        train=chunk_ids(tokenizer, splits.train[:40], 32),
        validation=chunk_ids(tokenizer, splits.validation[:5], 32),
        test=chunk_ids(tokenizer, splits.test[:5], 32),
    )


def lstm(tokenizer: TextTokenizer) -> LanguageModel:
    torch.manual_seed(0)
    spec = ModelSpec(
        family="char_lstm", size="nano", vocab_size=tokenizer.vocab_size, max_seq_len=32
    )
    return build_model(spec)


def test_lines_end_with_eos_and_the_last_row_is_padded() -> None:
    rows = chunk_ids(CharTokenizer(["a", "b"]), ["ab", "b"], 4)
    expected = longs([4, 5, EOS_ID, 5], [EOS_ID, PAD_ID, PAD_ID, PAD_ID])
    assert torch.equal(rows, expected)
    assert torch.equal(chunk_ids(CharTokenizer([]), [], 3), torch.zeros((1, 3), dtype=torch.long))


def test_the_loss_predicts_the_next_token_and_ignores_pads() -> None:
    ids = longs([4, 5, PAD_ID])
    logits = torch.full((1, 3, 6), -20.0)
    logits[0, 0, 5] = 20.0  # position 0 predicts id 5, which is at position 1
    logits[0, 1, 4] = 20.0  # position 1's target is a pad: ignored
    assert next_token_loss(logits, ids).item() == pytest.approx(0.0, abs=1e-6)
    logits[0, 0] = 0.0
    assert next_token_loss(logits, ids).item() == pytest.approx(math.log(6), rel=1e-4)


def test_perplexity_is_capped_at_a_loss_of_20() -> None:
    assert perplexity(0.0) == 1.0
    assert perplexity(math.log(5)) == pytest.approx(5)
    assert perplexity(25.0) == perplexity(20.0) == math.exp(20)


def test_a_diverging_loss_ends_training(
    tokenizer: TextTokenizer, data: Datasets, tmp_path: pathlib.Path
) -> None:
    options = replace(OPTIONS, optimizer="sgd", learning_rate=math.inf, gradient_clipping=0.0)
    with pytest.raises(TrainingDivergedError, match="the training loss is nan at step"):
        train(
            lstm(tokenizer),
            data,
            options,
            CPU,
            tmp_path,
            report=lambda _: None,
            stop=threading.Event(),
        )


def test_all_pad_rows_have_no_loss(tokenizer: TextTokenizer) -> None:
    rows = torch.zeros((2, 8), dtype=torch.long)
    assert evaluate_loss(lstm(tokenizer), rows, CPU, 4) == 0.0


def test_training_reports_steps_and_keeps_the_best_checkpoint(
    tokenizer: TextTokenizer, data: Datasets, tmp_path: pathlib.Path
) -> None:
    reports: list[StepReport] = []
    model = lstm(tokenizer)
    before = evaluate_loss(model, data.validation, CPU, 8)
    options = replace(OPTIONS, max_steps=4, num_epochs=3)
    outcome = train(
        model, data, options, CPU, tmp_path, report=reports.append, stop=threading.Event()
    )
    assert outcome.steps == 4
    assert [r.step for r in reports if r.val_loss is None] == [1, 2, 3, 4]
    epoch_ends = [r for r in reports if r.val_loss is not None]
    assert epoch_ends
    assert outcome.best_val_loss == min(r.val_loss for r in epoch_ends if r.val_loss is not None)
    assert outcome.best_val_loss < before
    assert outcome.tokens == reports[-1].tokens > 0
    assert 0 < outcome.train_seconds < outcome.seconds
    assert not outcome.early_stopped
    saved = load_language_model(tmp_path)
    assert evaluate_loss(saved, data.test, CPU, 8) == pytest.approx(outcome.test_loss, rel=1e-5)


def test_no_improvement_stops_early_and_the_first_epoch_is_kept(
    tokenizer: TextTokenizer, data: Datasets, tmp_path: pathlib.Path
) -> None:
    options = TrainOptions(
        num_epochs=5,
        batch_size=64,
        learning_rate=0.0,
        optimizer="sgd",
        gradient_clipping=0.0,
        early_stopping_patience=1,
        seed=2,
        freeze_embed=True,
    )
    model = lstm(tokenizer)
    outcome = train(
        model, data, options, CPU, tmp_path, report=lambda _: None, stop=threading.Event()
    )
    assert outcome.early_stopped
    assert outcome.epochs == 2
    assert all(not p.requires_grad for p in model.embedding_parameters())


def test_adam_trains_a_gpt2(
    tokenizer: TextTokenizer, data: Datasets, tmp_path: pathlib.Path
) -> None:
    torch.manual_seed(0)
    model = build_model(
        ModelSpec(family="gpt2", size="nano", vocab_size=tokenizer.vocab_size, max_seq_len=32)
    )
    options = replace(OPTIONS, optimizer="adam", max_steps=None, num_epochs=1, batch_size=32)
    outcome = train(
        model, data, options, CPU, tmp_path, report=lambda _: None, stop=threading.Event()
    )
    assert (outcome.steps, outcome.epochs) == (math.ceil(data.train.shape[0] / 32), 1)
    assert math.isfinite(outcome.test_loss)


def test_a_set_stop_flag_cancels_before_the_next_step(
    tokenizer: TextTokenizer, data: Datasets, tmp_path: pathlib.Path
) -> None:
    stop = threading.Event()
    steps: list[int] = []

    def report(step: StepReport) -> None:
        steps.append(step.step)
        stop.set()

    with pytest.raises(TrainingCancelledError, match="Training cancelled"):
        train(lstm(tokenizer), data, OPTIONS, CPU, tmp_path, report=report, stop=stop)
    assert steps == [1]
