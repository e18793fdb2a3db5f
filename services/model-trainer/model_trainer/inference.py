"""Scoring, sampling and the chat prompt, for every family alike.

`score` measures a text's next-token loss (and per token its surprisal in bits and,
optionally, the top-k alternatives); `generate` samples continuations (temperature 0 is
greedy; top-k, then nucleus filtering) token by token over the last `max_seq_len` ids,
stopping at `[EOS]` and at stop sequences; `chat_prompt` lays a conversation out as the
original did (`User: ...\\nAssistant: ...`).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import torch
from pydantic import BaseModel, ConfigDict
from torch import Tensor
from torch.nn import functional

from model_trainer.families import LanguageModel
from model_trainer.text_tokenizers import EOS_ID, TextTokenizer
from model_trainer.training import perplexity

DetailLevel = Literal["summary", "per_char"]
TEMPERATURE_FLOOR = 0.01


class TopToken(BaseModel):
    """One alternative at a position: the token and its probability."""

    model_config = ConfigDict(frozen=True)

    token: str
    prob: float


class ScoreResult(BaseModel):
    """A text's loss and perplexity; per token details on request."""

    model_config = ConfigDict(frozen=True)

    loss: float
    perplexity: float
    surprisal: list[float] | None = None
    topk: list[list[TopToken]] | None = None
    tokens: list[str] | None = None


def score(
    model: LanguageModel,
    tokenizer: TextTokenizer,
    text: str,
    *,
    detail_level: DetailLevel,
    top_k: int | None,
) -> ScoreResult:
    """Next-token loss of `text` (its first `max_seq_len` ids); under two ids: loss 0."""
    ids = tokenizer.encode(text)[: model.spec.max_seq_len]
    if len(ids) < 2:
        return ScoreResult(loss=0.0, perplexity=1.0)
    batch = torch.tensor(ids, dtype=torch.long).unsqueeze(0)
    with torch.no_grad():
        logits = model.logits(batch)[0, :-1].float()
    targets = batch[0, 1:]
    losses = functional.cross_entropy(logits, targets, reduction="none")
    loss = float(losses.mean().item())
    surprisal: list[float] | None = None
    tokens: list[str] | None = None
    topk: list[list[TopToken]] | None = None
    if detail_level == "per_char":
        surprisal = [float(losses[i].item()) / math.log(2) for i in range(losses.shape[0])]
        tokens = [tokenizer.token(i) for i in ids[1:]]
    if top_k is not None:
        probs = torch.softmax(logits, dim=-1)
        values, indices = torch.topk(probs, min(top_k, probs.shape[-1]), dim=-1)
        topk = [
            [
                TopToken(
                    token=tokenizer.token(int(indices[row, k].item())),
                    prob=float(values[row, k].item()),
                )
                for k in range(values.shape[1])
            ]
            for row in range(values.shape[0])
        ]
    return ScoreResult(
        loss=loss, perplexity=perplexity(loss), surprisal=surprisal, topk=topk, tokens=tokens
    )


@dataclass(frozen=True, slots=True)
class Sampling:
    """How to sample: temperature (0 = greedy), top-k (0 = off), top-p, limits."""

    max_new_tokens: int
    temperature: float
    top_k: int
    top_p: float
    stop_on_eos: bool = True
    stop_sequences: tuple[str, ...] = ()


class Generated(BaseModel):
    """One continuation: its text, its number of new ids, whether `[EOS]` ended it."""

    model_config = ConfigDict(frozen=True)

    text: str
    steps: int
    eos_terminated: bool


def _filter(logits: Tensor, top_k: int, top_p: float) -> Tensor:
    """Logits outside the top-k and outside the nucleus `top_p` set to -inf."""
    if 0 < top_k < logits.shape[-1]:
        kth = torch.topk(logits, top_k).values[-1]
        logits = logits.masked_fill(logits < kth, -math.inf)
    if top_p < 1.0:
        ordered, order = torch.sort(logits, descending=True)
        cumulative = torch.cumsum(torch.softmax(ordered, dim=-1), dim=-1)
        drop = cumulative - torch.softmax(ordered, dim=-1) >= top_p
        logits = logits.masked_fill(torch.zeros_like(drop).scatter(0, order, drop), -math.inf)
    return logits


def _cut(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """`text` up to its first stop sequence, and whether one was found."""
    cuts = [text.index(s) for s in stops if s and s in text]
    return (text[: min(cuts)], True) if cuts else (text, False)


def generate(
    model: LanguageModel,
    tokenizer: TextTokenizer,
    prompt: str,
    sampling: Sampling,
    generator: torch.Generator,
) -> Generated:
    """One continuation of `prompt`."""
    context = tokenizer.encode(prompt)
    new: list[int] = []
    eos = False
    window = model.spec.max_seq_len
    with torch.no_grad():
        for _ in range(sampling.max_new_tokens):
            ids = (context + new)[-window:] or [EOS_ID]
            row = torch.tensor(ids, dtype=torch.long).unsqueeze(0)
            logits = model.logits(row)[0, -1].float()
            if sampling.temperature == 0:
                token = int(torch.argmax(logits).item())
            else:
                scaled = logits / max(sampling.temperature, TEMPERATURE_FLOOR)
                probs = torch.softmax(_filter(scaled, sampling.top_k, sampling.top_p), dim=-1)
                token = int(torch.multinomial(probs, 1, generator=generator).item())
            if token == EOS_ID and sampling.stop_on_eos:
                eos = True
                break
            new.append(token)
            _, stopped = _cut(tokenizer.decode(new), sampling.stop_sequences)
            if stopped:
                break
    text, _ = _cut(tokenizer.decode(new), sampling.stop_sequences)
    return Generated(text=text, steps=len(new), eos_terminated=eos)


ChatRole = Literal["user", "assistant"]


class ChatMessage(BaseModel):
    """One message of a chat session."""

    model_config = ConfigDict(frozen=True)

    role: ChatRole
    content: str


CHAT_STOPS = ("User:", "\nUser:")


def chat_prompt(history: Sequence[ChatMessage], message: str) -> str:
    """`User: ...\\nAssistant: ...\\n...User: <message>\\nAssistant:`."""
    lines = [f"{'User' if m.role == 'user' else 'Assistant'}: {m.content}" for m in history]
    lines.append(f"User: {message}")
    return "\n".join(lines) + "\nAssistant:"
