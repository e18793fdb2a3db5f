"""The queued jobs: payloads, results and task declarations shared by the API and worker.

Every job runs on the `trainer` queue; the job's status is the run's or request's
status (one source of truth). Job ids: a training run's id is its job id
(`{family}-{size}-{12 hex}`); a tokenizer's id is its job id (deterministic, see
`text_tokenizers.tokenizer_id`); evaluations, scores, generations and chat turns get a
random request id. No retries (a failed run is re-submitted by the client).
"""

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from model_trainer.corpus import Split
from model_trainer.families import Family
from model_trainer.inference import DetailLevel, Generated, ScoreResult
from model_trainer.settings import TrainerSettings
from model_trainer.text_tokenizers import TokenizerMethod, TokenizerStats
from model_trainer.training import Optimizer
from platform_core.async_events import Domain
from platform_ml import DeviceRequest, PrecisionRequest
from platform_workers.async_queue import ResultRef, Task

QUEUE: Domain = "trainer"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ArtifactRef(_Frozen):
    """A directory stored in data-bank-api as a tarball with one root directory."""

    file_id: str
    size: int
    root: str


class TrainPayload(_Frozen):
    """A training run, checked by the API (family, size, tokenizer, corpus exist)."""

    run_id: str
    model_family: Family
    model_size: str
    max_seq_len: int
    num_epochs: int
    batch_size: int
    learning_rate: float
    corpus_file_id: str
    tokenizer_id: str
    tokenizer: ArtifactRef
    holdout_fraction: float
    test_split_ratio: float
    seed: int
    pretrained_run_id: str | None
    pretrained: ArtifactRef | None
    freeze_embed: bool
    gradient_clipping: float
    optimizer: Optimizer
    device: DeviceRequest
    precision: PrecisionRequest
    early_stopping_patience: int
    finetune_lr_cap: float
    max_steps: int | None = None


class TrainResult(_Frozen):
    """A finished run: its artifact and what it measured."""

    run_id: str
    artifact: ArtifactRef
    steps: int
    epochs: int
    train_loss: float
    best_val_loss: float
    test_loss: float
    test_perplexity: float
    early_stopped: bool


class EvalPayload(_Frozen):
    """Evaluate a run's best checkpoint on one split of its corpus (or of a file)."""

    run_id: str
    split: Split
    artifact: ArtifactRef
    corpus_file_id: str
    holdout_fraction: float
    test_split_ratio: float
    path_override: str | None


class EvalResult(_Frozen):
    """An evaluation's loss and perplexity."""

    run_id: str
    split: Split
    loss: float
    perplexity: float
    artifact_path: str


class ScorePayload(_Frozen):
    """Score a text (or a file under the data root) with a run's model."""

    run_id: str
    artifact: ArtifactRef
    text: str | None
    path: str | None
    detail_level: DetailLevel
    top_k: int | None
    seed: int | None


class GeneratePayload(_Frozen):
    """Sample continuations of a prompt (or of a file under the data root)."""

    run_id: str
    artifact: ArtifactRef
    prompt_text: str | None
    prompt_path: str | None
    max_new_tokens: int
    temperature: float
    top_k: int
    top_p: float
    stop_on_eos: bool
    stop_sequences: list[str]
    seed: int | None
    num_return_sequences: int


class GenerateResult(_Frozen):
    """The continuations."""

    outputs: list[Generated]


class ChatPayload(_Frozen):
    """One chat turn in a session."""

    run_id: str
    artifact: ArtifactRef
    session_id: str
    message: str
    max_new_tokens: int
    temperature: float
    top_k: int
    top_p: float


class ChatResult(_Frozen):
    """The assistant's answer."""

    response: str


class TokenizerPayload(_Frozen):
    """Train a tokenizer on a corpus."""

    tokenizer_id: str
    method: TokenizerMethod
    vocab_size: int
    min_frequency: int
    corpus_file_id: str
    holdout_fraction: float
    seed: int


class TokenizerResult(_Frozen):
    """A trained tokenizer: its artifact, vocabulary size and stats."""

    tokenizer_id: str
    artifact: ArtifactRef
    vocab_size: int
    stats: TokenizerStats


JobKind = Literal["train", "evaluate", "score", "generate", "chat", "tokenizer"]


def _artifact_ref(result: TrainResult | TokenizerResult, job_id: str) -> ResultRef:
    del job_id
    return ResultRef(result_id=result.artifact.file_id, result_bytes=result.artifact.size)


@dataclass(frozen=True, slots=True)
class TrainerTasks:
    """The six tasks with the configured timeouts and TTLs."""

    train: Task[TrainPayload, TrainResult]
    evaluate: Task[EvalPayload, EvalResult]
    score: Task[ScorePayload, ScoreResult]
    generate: Task[GeneratePayload, GenerateResult]
    chat: Task[ChatPayload, ChatResult]
    tokenizer: Task[TokenizerPayload, TokenizerResult]


def trainer_tasks(settings: TrainerSettings) -> TrainerTasks:
    """The tasks (names `model_trainer.<kind>`) with the settings' limits."""
    ttl = settings.trainer_result_ttl_seconds
    timeout = settings.trainer_job_timeout_seconds
    return TrainerTasks(
        train=Task(
            "model_trainer.train",
            TrainPayload,
            TrainResult,
            timeout_s=settings.trainer_train_timeout_seconds,
            result_ttl_s=ttl,
            describe=_artifact_ref,
        ),
        evaluate=Task(
            "model_trainer.evaluate", EvalPayload, EvalResult, timeout_s=timeout, result_ttl_s=ttl
        ),
        score=Task(
            "model_trainer.score", ScorePayload, ScoreResult, timeout_s=timeout, result_ttl_s=ttl
        ),
        generate=Task(
            "model_trainer.generate",
            GeneratePayload,
            GenerateResult,
            timeout_s=timeout,
            result_ttl_s=ttl,
        ),
        chat=Task(
            "model_trainer.chat", ChatPayload, ChatResult, timeout_s=timeout, result_ttl_s=ttl
        ),
        tokenizer=Task(
            "model_trainer.tokenizer",
            TokenizerPayload,
            TokenizerResult,
            timeout_s=timeout,
            result_ttl_s=ttl,
            describe=_artifact_ref,
        ),
    )
