"""Scoring, sampling and the chat prompt."""

import math

import pytest
import torch

from model_trainer.families import LanguageModel, ModelSpec, build_model
from model_trainer.inference import (
    ChatMessage,
    Sampling,
    _filter,
    chat_prompt,
    generate,
    score,
)
from model_trainer.text_tokenizers import EOS_ID, CharTokenizer


def floats(*values: float) -> torch.Tensor:
    """A float vector."""
    data: list[float] = list(values)
    return torch.tensor(data)


TOKENIZER = CharTokenizer(["a", "b", "c", "U", "s", "e", "r", ":"])


class Scripted(LanguageModel):
    """A model that always predicts the same next-token distribution."""

    def __init__(self, preferred: list[int]) -> None:
        super().__init__(
            ModelSpec(
                family="char_lstm", size="nano", vocab_size=TOKENIZER.vocab_size, max_seq_len=4
            )
        )
        self.preferred = preferred
        self.calls: list[int] = []

    def logits(self, input_ids: torch.Tensor) -> torch.Tensor:
        self.calls.append(input_ids.shape[1])
        step = len(self.calls) - 1
        out = torch.full((input_ids.shape[0], input_ids.shape[1], self.spec.vocab_size), -10.0)
        out[:, :, self.preferred[min(step, len(self.preferred) - 1)]] = 10.0
        return out


def test_short_texts_score_zero() -> None:
    result = score(Scripted([4]), TOKENIZER, "a", detail_level="per_char", top_k=2)
    assert (result.loss, result.perplexity, result.tokens) == (0.0, 1.0, None)


def test_scores_give_the_loss_surprisal_tokens_and_top_k() -> None:
    model = Scripted([5])  # always predicts "b"
    result = score(model, TOKENIZER, "abbbbbb", detail_level="per_char", top_k=2)
    assert model.calls == [4]  # truncated to max_seq_len
    assert result.tokens == ["b", "b", "b"]
    assert result.loss == pytest.approx(0.0, abs=1e-6)
    assert result.surprisal == pytest.approx([0.0, 0.0, 0.0], abs=1e-6)
    assert result.topk is not None
    assert [len(row) for row in result.topk] == [2, 2, 2]
    assert result.topk[0][0].token == "b"
    assert result.topk[0][0].prob == pytest.approx(1.0)
    summary = score(Scripted([4]), TOKENIZER, "ab", detail_level="summary", top_k=None)
    assert summary.surprisal is None
    assert summary.topk is None
    assert summary.loss == pytest.approx(20.0)
    assert summary.perplexity == math.exp(20)


def test_greedy_generation_stops_at_eos() -> None:
    model = Scripted([4, 5, EOS_ID])
    result = generate(model, TOKENIZER, "", Sampling(10, 0.0, 0, 1.0), torch.Generator())
    assert (result.text, result.steps, result.eos_terminated) == ("ab", 2, True)
    assert model.calls == [1, 1, 2]


def test_generation_can_ignore_eos_and_keeps_a_window() -> None:
    model = Scripted([EOS_ID])
    sampling = Sampling(6, 0.0, 0, 1.0, stop_on_eos=False)
    result = generate(model, TOKENIZER, "abc", sampling, torch.Generator())
    assert (result.steps, result.eos_terminated) == (6, False)
    assert model.calls == [3, 4, 4, 4, 4, 4]


def test_stop_sequences_cut_the_text() -> None:
    model = Scripted([4, 7, 8, 9, 10, 11, 12, 4])  # "aUser:a"
    sampling = Sampling(20, 0.0, 0, 1.0, stop_sequences=("User:", ""))
    result = generate(model, TOKENIZER, "", sampling, torch.Generator())
    assert (result.text, result.steps, result.eos_terminated) == ("a", 6, False)


def test_sampling_is_seeded_and_filtered() -> None:
    torch.manual_seed(0)
    model = build_model(
        ModelSpec(family="char_lstm", size="nano", vocab_size=TOKENIZER.vocab_size, max_seq_len=8)
    )
    sampling = Sampling(8, 1.5, 3, 0.9, stop_on_eos=False)
    first = generate(model, TOKENIZER, "ab", sampling, torch.Generator().manual_seed(5))
    again = generate(model, TOKENIZER, "ab", sampling, torch.Generator().manual_seed(5))
    assert first == again
    assert first.steps == 8


def test_top_k_and_nucleus_filtering() -> None:
    logits = floats(3.0, 2.0, 1.0, 0.0)
    inf = -math.inf
    assert torch.equal(_filter(logits, 2, 1.0), floats(3.0, 2.0, inf, inf))
    assert torch.equal(_filter(logits, 0, 1.0), logits)
    assert torch.equal(_filter(logits, 9, 0.5), floats(3.0, inf, inf, inf))
    assert torch.equal(_filter(logits, 0, 0.8), floats(3.0, 2.0, inf, inf))


def test_the_chat_prompt_layout() -> None:
    history = [ChatMessage(role="user", content="hi"), ChatMessage(role="assistant", content="yo")]
    assert chat_prompt(history, "bye") == "User: hi\nAssistant: yo\nUser: bye\nAssistant:"
    assert chat_prompt([], "q") == "User: q\nAssistant:"
