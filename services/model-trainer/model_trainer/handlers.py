"""The worker's job handlers: training runs, evaluation, scoring, generation, chat and
tokenizer training.

Model work is synchronous and runs in a thread (`platform_core.blocking`); a training
run is stopped through its flag when the queue cancels the job (the handler's task is
cancelled, `run_stoppable` sets the flag, the loop ends before its next step and the job
ends `failed`, `cancelled: Training cancelled`). Steps are written to the run log by the
training thread and handed to the event loop, which records the job's progress and
publishes `trainer.metrics.progress.v1`. Domain failures end the job with the right
`error_kind`: the client's mistakes (a corpus or session that does not exist, a device
this host lacks, an incompatible checkpoint) are `user`, failures of data-bank-api or of
the model files are `system`.
"""

import asyncio
import math
import os
import platform
import shutil
import threading
from collections import OrderedDict
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import torch
from pydantic import BaseModel, ConfigDict, JsonValue

from model_trainer.corpus import CorpusEmptyError, CorpusSplits, corpus_lines, split_corpus
from model_trainer.families import (
    LanguageModel,
    ModelLoadError,
    ModelSpec,
    build_model,
    load_language_model,
)
from model_trainer.inference import (
    CHAT_STOPS,
    ChatMessage,
    Sampling,
    ScoreResult,
    chat_prompt,
    generate,
    score,
)
from model_trainer.jobs import (
    QUEUE,
    ArtifactRef,
    ChatPayload,
    ChatResult,
    EvalPayload,
    EvalResult,
    GeneratePayload,
    GenerateResult,
    ScorePayload,
    TokenizerPayload,
    TokenizerResult,
    TrainerTasks,
    TrainPayload,
    TrainResult,
)
from model_trainer.runlog import RunLog, log_path
from model_trainer.sessions import ChatSessions, SessionNotFoundError
from model_trainer.settings import TrainerSettings
from model_trainer.storage import StorageError, Store
from model_trainer.text_tokenizers import (
    TextTokenizer,
    TokenizerLoadError,
    TokenizerStats,
    load_tokenizer,
    tokenizer_stats,
    train_tokenizer,
)
from model_trainer.training import (
    Datasets,
    StepReport,
    TrainingDivergedError,
    TrainOptions,
    TrainOutcome,
    chunk_ids,
    evaluate_loss,
    perplexity,
    train,
)
from model_trainer_events import (
    TrainerMetricsCompleted,
    TrainerMetricsConfig,
    TrainerMetricsProgress,
)
from platform_core.async_events import EventPublisher
from platform_core.blocking import run_blocking, run_stoppable
from platform_ml import Compute, DeviceError, seed_everything, select_compute
from platform_workers.async_queue import JobContext, Runnable, SystemFailureError, UserError

T = TypeVar("T")
MODEL_DIR = "model"
TOKENIZER_DIR = "tokenizer"
MODEL_CACHE_SIZE = 4


class IncompatibleModelError(Exception):
    """A checkpoint that cannot be fine-tuned with the run's tokenizer or family."""


class InputPathError(Exception):
    """A `path` input outside the data root, or missing."""


USER_ERRORS: tuple[type[Exception], ...] = (
    CorpusEmptyError,
    DeviceError,
    IncompatibleModelError,
    InputPathError,
    SessionNotFoundError,
    TrainingDivergedError,
)
SYSTEM_ERRORS: tuple[type[Exception], ...] = (ModelLoadError, TokenizerLoadError)


async def classified(work: Awaitable[T]) -> T:
    """`await work`, its domain failures turned into the queue's user/system failures."""
    try:
        return await work
    except StorageError as exc:
        if exc.kind == "user":
            raise UserError(exc.message) from exc
        raise SystemFailureError(exc.message) from exc
    except USER_ERRORS as exc:
        raise UserError(str(exc)) from exc
    except SYSTEM_ERRORS as exc:
        raise SystemFailureError(str(exc)) from exc


def resolve_input(data_root: Path, path: str) -> str:
    """The text of the file `path` (relative to, and inside, `data_root`)."""
    root = data_root.resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise InputPathError(f"path {path!r} is not a file under the data root")
    return target.read_text(encoding="utf-8")


class TokenizerManifest(BaseModel):
    """`manifest.json` of a tokenizer."""

    model_config = ConfigDict(frozen=True)

    created_at: str
    config: TokenizerPayload
    stats: TokenizerStats


class RunManifest(BaseModel):
    """`manifest.json` of a trained model: what was trained, how, and what it measured."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    created_at: str
    request: TrainPayload
    spec: ModelSpec
    device: str
    precision: str
    learning_rate: float
    steps: int
    epochs: int
    train_loss: float
    best_val_loss: float
    test_loss: float
    test_perplexity: float
    early_stopped: bool
    tokens: int
    seconds: float
    train_seconds: float
    versions: dict[str, str]
    system: dict[str, str]


def versions() -> dict[str, str]:
    """The ML libraries' versions."""
    import tokenizers
    import transformers

    return {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
    }


def system_info() -> dict[str, str]:
    """The machine."""
    return {
        "cpu_count": str(os.cpu_count()),
        "platform": platform.system(),
        "platform_release": platform.release(),
        "machine": platform.machine(),
    }


@dataclass(frozen=True, slots=True)
class Prepared:
    """A run ready to train."""

    model: LanguageModel
    data: Datasets
    options: TrainOptions


def prepare_run(
    payload: TrainPayload,
    text: str,
    tokenizer: TextTokenizer,
    pretrained_dir: Path | None,
) -> Prepared:
    """The model (fresh, or the pretrained checkpoint) and the chunked splits."""
    seed_everything(payload.seed)
    learning_rate = payload.learning_rate
    if pretrained_dir is None:
        spec = ModelSpec(
            family=payload.model_family,
            size=payload.model_size,
            vocab_size=tokenizer.vocab_size,
            max_seq_len=payload.max_seq_len,
        )
        model = build_model(spec)
    else:
        model = load_language_model(pretrained_dir)
        spec = model.spec
        if spec.vocab_size != tokenizer.vocab_size or spec.family != payload.model_family:
            raise IncompatibleModelError(
                f"run {payload.pretrained_run_id} is a {spec.family} with a vocabulary of "
                f"{spec.vocab_size}; this run is a {payload.model_family} with "
                f"{tokenizer.vocab_size}"
            )
        learning_rate = min(learning_rate, payload.finetune_lr_cap)
    splits = split_corpus(
        text, holdout_fraction=payload.holdout_fraction, test_fraction=payload.test_split_ratio
    )
    data = Datasets(
        train=chunk_ids(tokenizer, splits.train, spec.max_seq_len),
        validation=chunk_ids(tokenizer, splits.validation, spec.max_seq_len),
        test=chunk_ids(tokenizer, splits.test, spec.max_seq_len),
    )
    options = TrainOptions(
        num_epochs=payload.num_epochs,
        batch_size=payload.batch_size,
        learning_rate=learning_rate,
        optimizer=payload.optimizer,
        gradient_clipping=payload.gradient_clipping,
        early_stopping_patience=payload.early_stopping_patience,
        seed=payload.seed,
        freeze_embed=payload.freeze_embed,
        max_steps=payload.max_steps,
    )
    return Prepared(model=model, data=data, options=options)


def total_steps(prepared: Prepared) -> int:
    """How many optimizer steps the run takes at most."""
    per_epoch = math.ceil(prepared.data.train.shape[0] / prepared.options.batch_size)
    steps = per_epoch * prepared.options.num_epochs
    limit = prepared.options.max_steps
    return max(1, steps if limit is None else min(steps, limit))


def step_fields(step: StepReport) -> dict[str, JsonValue]:
    """A step's run-log fields."""
    return {
        "epoch": step.epoch,
        "step": step.step,
        "train_loss": step.train_loss,
        "grad_norm": step.grad_norm,
        "samples_per_sec": step.samples_per_sec,
        "tokens": step.tokens,
        "val_loss": step.val_loss,
    }


class Handlers:
    """The job handlers, sharing the settings, the store, the metrics publisher, the chat
    sessions and a small cache of loaded models."""

    def __init__(
        self,
        settings: TrainerSettings,
        tasks: TrainerTasks,
        store: Store,
        metrics: EventPublisher,
        sessions: ChatSessions,
        *,
        has_cuda: bool | None = None,
        model_cache_size: int = MODEL_CACHE_SIZE,
    ) -> None:
        self.settings = settings
        self.tasks = tasks
        self.store = store
        self.metrics = metrics
        self.sessions = sessions
        self._has_cuda = has_cuda
        self._model_cache_size = model_cache_size
        self._models: OrderedDict[str, tuple[LanguageModel, TextTokenizer]] = OrderedDict()

    def runnables(self) -> list[Runnable]:
        """Every task with its handler."""
        return [
            self.tasks.train.handler(self.train),
            self.tasks.evaluate.handler(self.evaluate),
            self.tasks.score.handler(self.score),
            self.tasks.generate.handler(self.generate),
            self.tasks.chat.handler(self.chat),
            self.tasks.tokenizer.handler(self.tokenizer),
        ]

    def _placement(self, payload: TrainPayload) -> Compute:
        return select_compute(payload.device, payload.precision, has_cuda=self._has_cuda)

    # --- training -----------------------------------------------------------------

    async def train(self, payload: TrainPayload, ctx: JobContext) -> TrainResult:
        """Train a run; its best checkpoint and tokenizer are uploaded as one artifact."""
        run_dir = self.settings.runs_dir / payload.run_id
        log = RunLog(log_path(run_dir))
        try:
            await run_blocking(log.write, "started", {"run_id": payload.run_id, "job": ctx.job_id})
            result = await classified(self._train(payload, ctx, run_dir, log))
        except asyncio.CancelledError:
            await run_blocking(log.write, "cancelled", {"message": "Training cancelled"})
            raise
        except Exception as exc:
            await run_blocking(log.write, "failed", {"message": str(exc)})
            raise
        finally:
            await run_blocking(log.close)
        return result

    async def _train(
        self, payload: TrainPayload, ctx: JobContext, run_dir: Path, log: RunLog
    ) -> TrainResult:
        placement = self._placement(payload)
        text = await self.store.fetch_corpus(payload.corpus_file_id, self.settings.corpus_cache)
        tokenizer_dir = await self.store.ensure_dir(
            payload.tokenizer, self.settings.tokenizers_dir / payload.tokenizer_id
        )
        tokenizer = await run_blocking(load_tokenizer, tokenizer_dir)
        pretrained_dir: Path | None = None
        if payload.pretrained is not None and payload.pretrained_run_id is not None:
            pretrained_root = self.settings.runs_dir / payload.pretrained_run_id / MODEL_DIR
            pretrained_dir = await self.store.ensure_dir(payload.pretrained, pretrained_root)
        prepared = await run_blocking(prepare_run, payload, text, tokenizer, pretrained_dir)
        config = TrainerMetricsConfig(
            job_id=ctx.job_id,
            user_id=ctx.user_id,
            model_family=payload.model_family,
            model_size=payload.model_size,
            total_epochs=payload.num_epochs,
            queue=QUEUE,
            cpu_cores=os.cpu_count(),
            optimal_threads=torch.get_num_threads(),
            batch_size=payload.batch_size,
            learning_rate=prepared.options.learning_rate,
        )
        await self.metrics.publish(config)
        await run_blocking(
            log.write, "config", {"device": placement.device, "precision": placement.precision}
        )
        outcome = await self._run_loop(
            payload=payload,
            ctx=ctx,
            prepared=prepared,
            placement=placement,
            run_dir=run_dir,
            log=log,
        )
        model_dir = run_dir / MODEL_DIR
        await run_blocking(self._finish_dir, model_dir, tokenizer_dir)
        manifest = RunManifest(
            run_id=payload.run_id,
            created_at=datetime.now(UTC).isoformat(),
            request=payload,
            spec=prepared.model.spec,
            device=placement.device,
            precision=placement.precision,
            learning_rate=prepared.options.learning_rate,
            steps=outcome.steps,
            epochs=outcome.epochs,
            train_loss=outcome.train_loss,
            best_val_loss=outcome.best_val_loss,
            test_loss=outcome.test_loss,
            test_perplexity=perplexity(outcome.test_loss),
            early_stopped=outcome.early_stopped,
            tokens=outcome.tokens,
            seconds=outcome.seconds,
            train_seconds=outcome.train_seconds,
            versions=versions(),
            system=system_info(),
        )
        await run_blocking(
            (model_dir / "manifest.json").write_text, manifest.model_dump_json(indent=2)
        )
        await ctx.progress(99, "uploading")
        artifact = await self.store.upload_dir(model_dir, f"model-{payload.run_id}")
        completed = TrainerMetricsCompleted(
            job_id=ctx.job_id,
            user_id=ctx.user_id,
            test_loss=outcome.test_loss,
            test_ppl=perplexity(outcome.test_loss),
            artifact_path=str(model_dir),
        )
        await self.metrics.publish(completed)
        await run_blocking(
            log.write,
            "completed",
            {"test_loss": outcome.test_loss, "artifact_file_id": artifact.file_id},
        )
        return TrainResult(
            run_id=payload.run_id,
            artifact=artifact,
            steps=outcome.steps,
            epochs=outcome.epochs,
            train_loss=outcome.train_loss,
            best_val_loss=outcome.best_val_loss,
            test_loss=outcome.test_loss,
            test_perplexity=perplexity(outcome.test_loss),
            early_stopped=outcome.early_stopped,
        )

    @staticmethod
    def _finish_dir(model_dir: Path, tokenizer_dir: Path) -> None:
        """Put the tokenizer beside the model, so the artifact is self-contained."""
        shutil.copytree(tokenizer_dir, model_dir / TOKENIZER_DIR, dirs_exist_ok=True)

    async def _run_loop(
        self,
        *,
        payload: TrainPayload,
        ctx: JobContext,
        prepared: Prepared,
        placement: Compute,
        run_dir: Path,
        log: RunLog,
    ) -> TrainOutcome:
        loop = asyncio.get_running_loop()
        reports: asyncio.Queue[StepReport | None] = asyncio.Queue()
        stop = threading.Event()
        steps = total_steps(prepared)

        def report(step: StepReport) -> None:
            log.write("step" if step.val_loss is None else "epoch", step_fields(step))
            loop.call_soon_threadsafe(reports.put_nowait, step)

        def work() -> TrainOutcome:
            try:
                return train(
                    prepared.model,
                    prepared.data,
                    prepared.options,
                    placement,
                    run_dir / MODEL_DIR,
                    report=report,
                    stop=stop,
                )
            finally:
                loop.call_soon_threadsafe(reports.put_nowait, None)

        async def forward() -> None:
            while (step := await reports.get()) is not None:
                await self._publish_step(payload, ctx, step, steps)

        forwarding = asyncio.create_task(forward())
        try:
            outcome = await run_stoppable(None, stop.set, work)
        finally:
            await forwarding
        return outcome

    async def _publish_step(
        self, payload: TrainPayload, ctx: JobContext, step: StepReport, steps: int
    ) -> None:
        percent = min(98, step.step * 100 // steps)
        await ctx.progress(percent, "training")
        val_ppl = None if step.val_loss is None else perplexity(step.val_loss)
        await self.metrics.publish(
            TrainerMetricsProgress(
                job_id=ctx.job_id,
                user_id=ctx.user_id,
                epoch=step.epoch,
                total_epochs=payload.num_epochs,
                step=step.step,
                train_loss=step.train_loss,
                train_ppl=perplexity(step.train_loss),
                grad_norm=step.grad_norm,
                samples_per_sec=step.samples_per_sec,
                val_loss=step.val_loss,
                val_ppl=val_ppl,
            )
        )

    # --- trained models -------------------------------------------------------------

    async def _model(
        self, run_id: str, artifact: ArtifactRef
    ) -> tuple[LanguageModel, TextTokenizer]:
        cached = self._models.get(run_id)
        if cached is not None:
            self._models.move_to_end(run_id)
            return cached
        model_dir = await self.store.ensure_dir(
            artifact, self.settings.runs_dir / run_id / MODEL_DIR
        )
        model = await run_blocking(load_language_model, model_dir)
        tokenizer = await run_blocking(load_tokenizer, model_dir / TOKENIZER_DIR)
        self._models[run_id] = (model, tokenizer)
        if len(self._models) > self._model_cache_size:
            self._models.popitem(last=False)
        return model, tokenizer

    async def _input(self, text: str | None, path: str | None) -> str:
        if text is not None:
            return text
        return await run_blocking(resolve_input, self.settings.trainer_data_root, path or "")

    async def evaluate(self, payload: EvalPayload, ctx: JobContext) -> EvalResult:
        """The best checkpoint's loss on the requested split."""
        del ctx
        return await classified(self._evaluate(payload))

    async def _evaluate(self, payload: EvalPayload) -> EvalResult:
        model, tokenizer = await self._model(payload.run_id, payload.artifact)
        if payload.path_override is not None:
            text = await self._input(None, payload.path_override)
        else:
            text = await self.store.fetch_corpus(payload.corpus_file_id, self.settings.corpus_cache)
        splits: CorpusSplits = await run_blocking(
            split_corpus,
            text,
            holdout_fraction=payload.holdout_fraction,
            test_fraction=payload.test_split_ratio,
        )
        rows = await run_blocking(
            chunk_ids, tokenizer, splits.part(payload.split), model.spec.max_seq_len
        )
        loss = await run_blocking(evaluate_loss, model, rows, Compute("cpu", "fp32"), 16)
        path = self.settings.runs_dir / payload.run_id / "eval" / f"{payload.split}.json"
        result = EvalResult(
            run_id=payload.run_id,
            split=payload.split,
            loss=loss,
            perplexity=perplexity(loss),
            artifact_path=str(path),
        )
        await run_blocking(path.parent.mkdir, parents=True, exist_ok=True)
        await run_blocking(path.write_text, result.model_dump_json())
        return result

    async def score(self, payload: ScorePayload, ctx: JobContext) -> ScoreResult:
        """A text's loss and perplexity under a run's model."""
        del ctx
        return await classified(self._score(payload))

    async def _score(self, payload: ScorePayload) -> ScoreResult:
        model, tokenizer = await self._model(payload.run_id, payload.artifact)
        text = await self._input(payload.text, payload.path)
        return await run_blocking(
            score, model, tokenizer, text, detail_level=payload.detail_level, top_k=payload.top_k
        )

    async def generate(self, payload: GeneratePayload, ctx: JobContext) -> GenerateResult:
        """Sampled continuations of a prompt."""
        del ctx
        return await classified(self._generate(payload))

    async def _generate(self, payload: GeneratePayload) -> GenerateResult:
        model, tokenizer = await self._model(payload.run_id, payload.artifact)
        prompt = await self._input(payload.prompt_text, payload.prompt_path)
        sampling = Sampling(
            max_new_tokens=payload.max_new_tokens,
            temperature=payload.temperature,
            top_k=payload.top_k,
            top_p=payload.top_p,
            stop_on_eos=payload.stop_on_eos,
            stop_sequences=tuple(payload.stop_sequences),
        )
        generator = torch.Generator()
        if payload.seed is not None:
            generator.manual_seed(payload.seed)
        outputs = [
            await run_blocking(generate, model, tokenizer, prompt, sampling, generator)
            for _ in range(payload.num_return_sequences)
        ]
        return GenerateResult(outputs=outputs)

    async def chat(self, payload: ChatPayload, ctx: JobContext) -> ChatResult:
        """The assistant's answer to a message; both are appended to the session."""
        del ctx
        return await classified(self._chat(payload))

    async def _chat(self, payload: ChatPayload) -> ChatResult:
        model, tokenizer = await self._model(payload.run_id, payload.artifact)
        session = await self.sessions.read(payload.run_id, payload.session_id)
        if session is None:
            raise SessionNotFoundError(f"chat session {payload.session_id} not found")
        sampling = Sampling(
            max_new_tokens=payload.max_new_tokens,
            temperature=payload.temperature,
            top_k=payload.top_k,
            top_p=payload.top_p,
            stop_on_eos=True,
            stop_sequences=CHAT_STOPS,
        )
        prompt = chat_prompt(session.messages, payload.message)
        answer = await run_blocking(generate, model, tokenizer, prompt, sampling, torch.Generator())
        response = answer.text.strip()
        await self.sessions.append(
            session,
            [
                ChatMessage(role="user", content=payload.message),
                ChatMessage(role="assistant", content=response),
            ],
        )
        return ChatResult(response=response)

    # --- tokenizers -----------------------------------------------------------------

    async def tokenizer(self, payload: TokenizerPayload, ctx: JobContext) -> TokenizerResult:
        """Train a tokenizer on a corpus, measure it on a sample, store it."""
        del ctx
        return await classified(self._tokenizer(payload))

    async def _tokenizer(self, payload: TokenizerPayload) -> TokenizerResult:
        text = await self.store.fetch_corpus(payload.corpus_file_id, self.settings.corpus_cache)
        lines = corpus_lines(text)
        if not lines:
            raise CorpusEmptyError(f"corpus {payload.corpus_file_id} has no text")
        trained = await run_blocking(
            train_tokenizer,
            payload.method,
            lines,
            vocab_size=payload.vocab_size,
            min_frequency=payload.min_frequency,
        )
        sample = min(
            max(1, int(len(lines) * payload.holdout_fraction)),
            self.settings.trainer_tokenizer_sample_max_lines,
        )
        stats = await run_blocking(
            tokenizer_stats, trained, lines, sample_lines=sample, seed=payload.seed
        )
        directory = self.settings.tokenizers_dir / payload.tokenizer_id
        await run_blocking(self._save_tokenizer, trained, directory, payload, stats)
        artifact = await self.store.upload_dir(directory, payload.tokenizer_id)
        return TokenizerResult(
            tokenizer_id=payload.tokenizer_id,
            artifact=artifact,
            vocab_size=trained.vocab_size,
            stats=stats,
        )

    @staticmethod
    def _save_tokenizer(
        tokenizer: TextTokenizer,
        directory: Path,
        payload: TokenizerPayload,
        stats: TokenizerStats,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        tokenizer.save(directory)
        manifest = TokenizerManifest(
            created_at=datetime.now(UTC).isoformat(), config=payload, stats=stats
        )
        (directory / "manifest.json").write_text(manifest.model_dump_json(indent=2))
