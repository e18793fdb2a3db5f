"""The model families and their sizes: GPT-2 (Transformers) and a character-level LSTM.

Both are causal language models behind one interface, `LanguageModel.logits(ids)`
(batch x time -> batch x time x vocab); the loss is always next-token cross-entropy on
shifted targets with `[PAD]` ignored (the original trained its LSTM on unshifted targets
and counted pads). A saved model is a directory: `model.json` (the `ModelSpec`) and
`model.safetensors` (the weights; for GPT-2 with Transformers' parameter names, beside
Transformers' own `config.json`, so `GPT2LMHeadModel.from_pretrained(dir)` loads it).

Sizes: the original's GPT-2 sizes (small 124M ... xl) and LSTM sizes, plus sizes small
enough to train on a CPU in seconds (`nano`, `tiny`, `mini` for GPT-2; `nano` for the
LSTM). `llama` and `qwen` are not implemented: the API refuses them.
"""

from pathlib import Path
from typing import Literal, Protocol, TypeGuard, runtime_checkable

import torch
from pydantic import BaseModel, ConfigDict, ValidationError
from safetensors.torch import load_model, save_model
from torch import Tensor, nn

from model_trainer.text_tokenizers import BOS_ID, EOS_ID, PAD_ID
from platform_core.checked import is_class, module_attribute

Family = Literal["gpt2", "char_lstm"]
SPEC_FILE = "model.json"
WEIGHTS_FILE = "model.safetensors"


class Gpt2Size(BaseModel):
    """GPT-2's width, depth and heads."""

    model_config = ConfigDict(frozen=True)

    n_embd: int
    n_layer: int
    n_head: int


class LstmSize(BaseModel):
    """The LSTM's embedding and hidden widths, layers and dropout."""

    model_config = ConfigDict(frozen=True)

    embed_dim: int
    hidden_dim: int
    num_layers: int
    dropout: float


GPT2_SIZES: dict[str, Gpt2Size] = {
    "nano": Gpt2Size(n_embd=32, n_layer=1, n_head=2),
    "tiny": Gpt2Size(n_embd=64, n_layer=2, n_head=2),
    "mini": Gpt2Size(n_embd=128, n_layer=4, n_head=4),
    "small": Gpt2Size(n_embd=768, n_layer=12, n_head=12),
    "medium": Gpt2Size(n_embd=1024, n_layer=24, n_head=16),
    "large": Gpt2Size(n_embd=1280, n_layer=36, n_head=20),
    "xl": Gpt2Size(n_embd=1600, n_layer=48, n_head=25),
}
LSTM_SIZES: dict[str, LstmSize] = {
    "nano": LstmSize(embed_dim=32, hidden_dim=64, num_layers=1, dropout=0.0),
    "tiny": LstmSize(embed_dim=128, hidden_dim=256, num_layers=2, dropout=0.1),
    "small": LstmSize(embed_dim=256, hidden_dim=512, num_layers=2, dropout=0.1),
    "medium": LstmSize(embed_dim=384, hidden_dim=768, num_layers=3, dropout=0.1),
}
SIZES: dict[Family, tuple[str, ...]] = {
    "gpt2": tuple(GPT2_SIZES),
    "char_lstm": tuple(LSTM_SIZES),
}


class ModelLoadError(Exception):
    """A model directory is missing or inconsistent."""


class ModelSpec(BaseModel):
    """What builds a model: family, size, vocabulary and context length (`model.json`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    family: Family
    size: str
    vocab_size: int
    max_seq_len: int


class LanguageModel(nn.Module):
    """A causal language model: `logits(ids)` for a batch of id sequences."""

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        self.spec = spec

    def logits(self, input_ids: Tensor) -> Tensor:
        """Next-token logits, batch x time x vocab."""
        raise NotImplementedError

    def weights(self) -> nn.Module:
        """The module whose parameters are saved (names as its library has them)."""
        return self

    def embedding_parameters(self) -> list[nn.Parameter]:
        """The token (and position) embeddings, frozen by `freeze_embed`."""
        raise NotImplementedError


@runtime_checkable
class _HasLogits(Protocol):
    """A Transformers model output (`CausalLMOutputWithCrossAttentions` and the like)."""

    @property
    def logits(self) -> object:
        """The logits, to be checked."""
        ...


def logits_of(output: object) -> Tensor:
    """The `logits` of a Transformers model output, checked."""
    logits = output.logits if isinstance(output, _HasLogits) else None
    if not torch.is_tensor(logits):
        raise TypeError(f"the model returned {type(output).__name__} without logits")
    return logits


class Gpt2Config(Protocol):
    """The part of Transformers' `GPT2Config` used here."""

    bos_token_id: int | None
    eos_token_id: int | None
    pad_token_id: int | None

    def to_json_string(self) -> str:
        """The config as Transformers writes `config.json`."""
        ...


class Gpt2ConfigFactory(Protocol):
    """`transformers.GPT2Config` as called here."""

    def __call__(
        self,
        *,
        vocab_size: int,
        n_positions: int,
        n_embd: int,
        n_layer: int,
        n_head: int,
        bos_token_id: int,
        eos_token_id: int,
        pad_token_id: int,
    ) -> Gpt2Config:
        """A config."""
        ...


class Gpt2Factory(Protocol):
    """`transformers.GPT2LMHeadModel` as called here: a randomly initialised model."""

    def __call__(self, config: Gpt2Config) -> nn.Module:
        """The model."""
        ...


class Gpt2Forward(Protocol):
    """`GPT2LMHeadModel.forward` as called here."""

    def __call__(self, *, input_ids: Tensor, attention_mask: Tensor) -> object:
        """The model output (with `logits`)."""
        ...


def _is_gpt2_config(value: object) -> TypeGuard[Gpt2ConfigFactory]:
    return is_class(value) and value.__name__ == "GPT2Config"


def _is_gpt2_model(value: object) -> TypeGuard[Gpt2Factory]:
    return is_class(value) and value.__name__ == "GPT2LMHeadModel"


def _transformers_gpt2() -> tuple[Gpt2ConfigFactory, Gpt2Factory]:
    """Transformers' GPT-2 classes, loaded by name and checked: their surface is declared
    here as Protocols, which keeps the typecheck gate from analysing all of Transformers."""
    config = module_attribute("transformers", "GPT2Config", _is_gpt2_config)
    model = module_attribute("transformers", "GPT2LMHeadModel", _is_gpt2_model)
    return config, model


class Gpt2Model(LanguageModel):
    """Transformers' `GPT2LMHeadModel`, randomly initialised, ids from the tokenizer."""

    def __init__(self, spec: ModelSpec, size: Gpt2Size) -> None:
        super().__init__(spec)
        config_class, model_class = _transformers_gpt2()
        self.config = config_class(
            vocab_size=spec.vocab_size,
            n_positions=spec.max_seq_len,
            n_embd=size.n_embd,
            n_layer=size.n_layer,
            n_head=size.n_head,
            bos_token_id=BOS_ID,
            eos_token_id=EOS_ID,
            pad_token_id=PAD_ID,
        )
        inner = model_class(self.config)
        self.inner = inner
        self._forward: Gpt2Forward = inner.forward

    def logits(self, input_ids: Tensor) -> Tensor:
        """GPT-2's logits."""
        mask = (input_ids != PAD_ID).long()
        return logits_of(self._forward(input_ids=input_ids, attention_mask=mask))

    def weights(self) -> nn.Module:
        """The Transformers model."""
        return self.inner

    def embedding_parameters(self) -> list[nn.Parameter]:
        """`wte` and `wpe`."""
        return [p for n, p in self.inner.named_parameters() if "wte" in n or "wpe" in n]


class CharLstmModel(LanguageModel):
    """Embedding -> LSTM -> linear head."""

    def __init__(self, spec: ModelSpec, size: LstmSize) -> None:
        super().__init__(spec)
        self.embedding = nn.Embedding(spec.vocab_size, size.embed_dim, padding_idx=PAD_ID)
        self.lstm = nn.LSTM(
            size.embed_dim,
            size.hidden_dim,
            num_layers=size.num_layers,
            batch_first=True,
            dropout=size.dropout if size.num_layers > 1 else 0.0,
        )
        self.head = nn.Linear(size.hidden_dim, spec.vocab_size)

    def logits(self, input_ids: Tensor) -> Tensor:
        """The head over the LSTM's outputs."""
        hidden, _ = self.lstm.forward(self.embedding.forward(input_ids))
        return self.head.forward(hidden)

    def embedding_parameters(self) -> list[nn.Parameter]:
        """The embedding."""
        return list(self.embedding.parameters())


class UnknownSizeError(ValueError):
    """A size the family does not have."""


def build_model(spec: ModelSpec) -> LanguageModel:
    """A randomly initialised model of `spec` (seed torch first for repeatable weights)."""
    if spec.family == "gpt2":
        gpt2 = GPT2_SIZES.get(spec.size)
        if gpt2 is None:
            raise UnknownSizeError(f"gpt2 has no size {spec.size!r}")
        return Gpt2Model(spec, gpt2)
    lstm = LSTM_SIZES.get(spec.size)
    if lstm is None:
        raise UnknownSizeError(f"char_lstm has no size {spec.size!r}")
    return CharLstmModel(spec, lstm)


def save_language_model(model: LanguageModel, directory: Path) -> None:
    """Write `model.json` and `model.safetensors` (and GPT-2's `config.json`)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / SPEC_FILE).write_text(model.spec.model_dump_json())
    if isinstance(model, Gpt2Model):
        (directory / "config.json").write_text(model.config.to_json_string())
    save_model(model.weights(), str(directory / WEIGHTS_FILE))


def read_spec(directory: Path) -> ModelSpec:
    """The `ModelSpec` saved in `directory`."""
    path = directory / SPEC_FILE
    if not path.is_file():
        raise ModelLoadError(f"no model in {directory}")
    try:
        return ModelSpec.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise ModelLoadError(f"{path}: not a model spec: {exc}") from exc


def load_language_model(directory: Path) -> LanguageModel:
    """The model saved in `directory` (on the CPU, in eval mode)."""
    model = build_model(read_spec(directory))
    load_weights(model, directory)
    model.eval()
    return model


def load_weights(model: LanguageModel, directory: Path) -> None:
    """Load `directory`'s weights into `model` (same spec)."""
    path = directory / WEIGHTS_FILE
    if not path.is_file():
        raise ModelLoadError(f"no weights in {directory}")
    missing, unexpected = load_model(model.weights(), str(path), strict=False, device="cpu")
    if missing or unexpected:
        raise ModelLoadError(f"{path}: missing {missing}, unexpected {unexpected}")


def parameter_count(model: nn.Module) -> int:
    """The number of parameters."""
    return sum(p.numel() for p in model.parameters())
