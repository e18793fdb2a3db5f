"""The API's request and response bodies (the original's fields, defaults and ranges).

Bodies are strict JSON objects; an unknown key, a wrong type or a value out of range is
a 400 `INVALID_INPUT` in the platform envelope (the original answered some of these
with FastAPI's 422 and malformed JSON with a 500).
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from model_trainer.corpus import Split
from model_trainer.inference import ChatMessage, DetailLevel, Generated, TopToken
from model_trainer.text_tokenizers import TokenizerMethod
from model_trainer.training import Optimizer
from platform_core.errors import AppError, ErrorCode
from platform_ml import DeviceRequest, PrecisionRequest

RequestedFamily = Literal["gpt2", "llama", "qwen", "char_lstm"]
RunStatus = Literal["queued", "running", "completed", "failed"]


class _Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TrainRequest(_Body):
    """`POST /runs/train`."""

    model_family: RequestedFamily = "gpt2"
    model_size: str = "small"
    max_seq_len: int = Field(default=512, ge=8)
    num_epochs: int = Field(default=1, ge=1)
    batch_size: int = Field(default=4, ge=1)
    learning_rate: float = Field(default=5e-4, ge=0)
    corpus_file_id: str
    tokenizer_id: str = ""
    holdout_fraction: float = Field(default=0.01, ge=0, le=0.5)
    seed: int = Field(default=42, ge=0)
    pretrained_run_id: str | None = None
    freeze_embed: bool = False
    gradient_clipping: float = Field(default=1.0, ge=0)
    optimizer: Optimizer = "adamw"
    user_id: int = Field(default=0, ge=0)
    device: DeviceRequest = "auto"
    precision: PrecisionRequest = "auto"
    data_num_workers: int | None = Field(default=None, ge=0)
    data_pin_memory: bool | None = None
    early_stopping_patience: int = Field(default=5, ge=1)
    test_split_ratio: float = Field(default=0.15, ge=0, le=0.5)
    finetune_lr_cap: float = Field(default=5e-5, ge=0)
    max_steps: int | None = Field(default=None, ge=1)


class TrainAccepted(BaseModel):
    """A queued run."""

    run_id: str
    job_id: str


class RunView(BaseModel):
    """A run's status (`processing` reads `running`, as the original)."""

    run_id: str
    status: RunStatus
    progress: int
    message: str | None
    error: str | None
    last_heartbeat_ts: float | None
    artifact_file_id: str | None


class CancelView(BaseModel):
    """A cancellation's answer."""

    status: Literal["cancellation-requested"]


class EvaluateRequest(_Body):
    """`POST /runs/{run_id}/evaluate`."""

    split: Literal["validation", "test"]
    path_override: str | None = None


class EvalView(BaseModel):
    """An evaluation (latest of the run)."""

    run_id: str
    split: Split
    status: RunStatus
    loss: float | None
    perplexity: float | None
    artifact_path: str | None


class ArtifactView(BaseModel):
    """Where a run's artifact is."""

    storage: Literal["data-bank"]
    file_id: str


def _exactly_one(first: str | None, second: str | None, names: str) -> None:
    if (first is None) == (second is None):
        raise AppError(ErrorCode.INVALID_INPUT, f"exactly one of {names} is required")


class ScoreRequest(_Body):
    """`POST /runs/{run_id}/score`: exactly one of `text` and `path`."""

    text: str | None = None
    path: str | None = None
    detail_level: DetailLevel = "summary"
    top_k: int | None = Field(default=None, ge=1)
    seed: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_input(self) -> "ScoreRequest":
        _exactly_one(self.text, self.path, "text and path")
        return self


class ScoreView(BaseModel):
    """A score request's state and, once completed, its figures."""

    request_id: str
    status: RunStatus
    loss: float | None = None
    perplexity: float | None = None
    surprisal: list[float] | None = None
    topk: list[list[TopToken]] | None = None
    tokens: list[str] | None = None


class GenerateRequest(_Body):
    """`POST /runs/{run_id}/generate`: exactly one of `prompt_text` and `prompt_path`."""

    prompt_text: str | None = None
    prompt_path: str | None = None
    max_new_tokens: int = Field(default=64, ge=1, le=1024)
    temperature: float = Field(default=1.0, ge=0, le=2)
    top_k: int = Field(default=50, ge=0)
    top_p: float = Field(default=1.0, ge=0, le=1)
    stop_on_eos: bool = True
    stop_sequences: list[str] = Field(default_factory=list)
    seed: int | None = Field(default=None, ge=0)
    num_return_sequences: int = Field(default=1, ge=1, le=16)

    @model_validator(mode="after")
    def _one_input(self) -> "GenerateRequest":
        _exactly_one(self.prompt_text, self.prompt_path, "prompt_text and prompt_path")
        return self


class GenerateView(BaseModel):
    """A generation's state and, once completed, its outputs."""

    request_id: str
    status: RunStatus
    outputs: list[str] | None = None
    steps: int | None = None
    eos_terminated: list[bool] | None = None
    sequences: list[Generated] | None = None


class ChatRequest(_Body):
    """`POST /runs/{run_id}/chat`: a message, in a new session when `session_id` is null."""

    message: str = Field(min_length=1)
    session_id: str | None = Field(default=None, min_length=1, max_length=64)
    max_new_tokens: int = Field(default=128, ge=1, le=1024)
    temperature: float = Field(default=0.8, ge=0, le=2)
    top_k: int = Field(default=50, ge=0)
    top_p: float = Field(default=0.95, ge=0, le=1)


class ChatView(BaseModel):
    """A chat turn's state and, once completed, the answer."""

    session_id: str
    status: RunStatus
    request_id: str
    response: str | None


class SessionView(BaseModel):
    """A chat session's history."""

    session_id: str
    run_id: str
    messages: list[ChatMessage]
    created_at: str


class TokenizerTrainRequest(_Body):
    """`POST /tokenizers/train`."""

    method: TokenizerMethod = "bpe"
    vocab_size: int = Field(default=32_000, ge=128)
    min_frequency: int = Field(default=2, ge=1)
    corpus_file_id: str
    holdout_fraction: float = Field(default=0.01, ge=0, le=0.5)
    seed: int = Field(default=42, ge=0)


class TokenizerAccepted(BaseModel):
    """A queued tokenizer."""

    tokenizer_id: str
    artifact_path: str
    coverage: float | None
    oov_rate: float | None


class TokenizerView(BaseModel):
    """A tokenizer's state and, once trained, its stats."""

    tokenizer_id: str
    artifact_path: str
    status: RunStatus
    coverage: float | None
    oov_rate: float | None
    token_count: int | None
    char_coverage: float | None
    vocab_size: int | None
    file_id: str | None
    error: str | None


class RunPath(BaseModel):
    """`{run_id}`."""

    run_id: str = Field(min_length=1, max_length=128)


class RequestPath(RunPath):
    """`{run_id}/{request_id}`."""

    request_id: str = Field(min_length=1, max_length=128)


class SessionPath(RunPath):
    """`{run_id}/chat/{session_id}`."""

    session_id: str = Field(min_length=1, max_length=64)


class ChatTurnPath(SessionPath):
    """`{run_id}/chat/{session_id}/{request_id}`."""

    request_id: str = Field(min_length=1, max_length=128)


class TokenizerPath(BaseModel):
    """`{tokenizer_id}`."""

    tokenizer_id: str = Field(min_length=1, max_length=128)


class LogsQuery(BaseModel):
    """`?tail=200&follow=true`."""

    tail: int = Field(default=200, ge=1, le=100_000)
    follow: bool = True
