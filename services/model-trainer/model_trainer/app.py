"""The model-trainer API (port 8005) on the platform kit.

Runs: `POST /runs/train`, `GET /runs/{run_id}`, `POST /runs/{run_id}/cancel`,
`POST /runs/{run_id}/evaluate`, `GET /runs/{run_id}/eval`, `GET /runs/{run_id}/artifact`,
`GET /runs/{run_id}/logs` and `/logs/stream` (SSE following the run until it ends).
Inference: `POST /runs/{run_id}/score|generate|chat` and their `GET` result routes, chat
sessions (`GET`/`DELETE /runs/{run_id}/chat/{session_id}`). Tokenizers:
`POST /tokenizers/train`, `GET /tokenizers/{tokenizer_id}`.

Every route but the kit's health and OpenAPI routes needs the API key (scope `api`).
Everything the worker does is a typed task on the `trainer` queue: a run's status is
its job's status. What the worker cannot do is refused here, never enqueued to fail: a
family it does not implement (llama, qwen), an unknown size, fp16/bf16 on the CPU, a
tokenizer, corpus or pretrained run that does not exist or is not ready.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.responses import Response, StreamingResponse

from model_trainer.errors import TrainerErrorCode, trainer_error
from model_trainer.families import SIZES, Family
from model_trainer.jobs import (
    QUEUE,
    ArtifactRef,
    ChatPayload,
    EvalPayload,
    GeneratePayload,
    ScorePayload,
    TokenizerPayload,
    TrainerTasks,
    TrainPayload,
    TrainResult,
    trainer_tasks,
)
from model_trainer.requests import (
    ArtifactView,
    CancelView,
    ChatRequest,
    ChatTurnPath,
    ChatView,
    EvaluateRequest,
    EvalView,
    GenerateRequest,
    GenerateView,
    LogsQuery,
    RequestPath,
    RunPath,
    RunStatus,
    RunView,
    ScoreRequest,
    ScoreView,
    SessionPath,
    SessionView,
    TokenizerAccepted,
    TokenizerPath,
    TokenizerTrainRequest,
    TokenizerView,
    TrainAccepted,
    TrainRequest,
)
from model_trainer.runlog import log_path, read_new_lines, tail_lines
from model_trainer.sessions import ChatSessions, CorruptSessionError
from model_trainer.settings import TrainerSettings
from model_trainer.storage import CorpusNotFoundError, CorpusTooLargeError, StorageError, Store
from model_trainer.text_tokenizers import tokenizer_id
from platform_core.blocking import run_blocking
from platform_core.data_bank_client import DataBankClient
from platform_core.errors import AppError, ErrorCode
from platform_core.health import ReadinessCheck
from platform_core.health.redis_check import redis_ping
from platform_core.http import (
    Call,
    ErrorRule,
    NoBody,
    NoQuery,
    Route,
    api_key_auth,
    create_app,
    delete,
    get,
    maps,
    post,
)
from platform_core.http.redis_errors import STORE_UNAVAILABLE
from platform_workers.async_queue import (
    CorruptStatusError,
    Job,
    JobState,
    Queue,
    Task,
    TaskMismatchError,
)
from platform_workers.async_redis import RedisClient, open_redis
from platform_workers.queue_readiness import live_worker_check

SERVICE = "model-trainer"
SCOPE = "api"
FOLLOW_POLL_S = 0.5
TERMINAL: tuple[JobState, ...] = ("completed", "failed")
P = TypeVar("P", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Ctx:
    """What the handlers use."""

    settings: TrainerSettings
    redis: RedisClient
    queue: Queue
    tasks: TrainerTasks
    store: Store
    sessions: ChatSessions


def run_status(state: JobState) -> RunStatus:
    """The original's status words: `processing` reads `running`."""
    return "running" if state == "processing" else state


def eval_key(run_id: str) -> str:
    """The Redis key that points at a run's latest evaluation request."""
    return f"trainer:eval:{run_id}"


ERRORS: list[ErrorRule] = [
    maps(
        CorpusNotFoundError,
        lambda exc: trainer_error(TrainerErrorCode.CORPUS_NOT_FOUND, exc.message),
    ),
    maps(
        CorpusTooLargeError,
        lambda exc: trainer_error(TrainerErrorCode.CORPUS_TOO_LARGE, exc.message),
    ),
    maps(
        StorageError,
        lambda exc: AppError(ErrorCode.EXTERNAL_SERVICE_ERROR, exc.message, HTTPStatus.BAD_GATEWAY),
    ),
    maps(CorruptSessionError, lambda exc: AppError(ErrorCode.INTERNAL_ERROR, str(exc))),
    STORE_UNAVAILABLE,
]
"""How the domain's errors answer (`create_app(errors=...)`)."""


async def _job(ctx: Ctx, task: Task[P, R], job_id: str) -> Job[P, R] | None:
    """A job of `task`, None when there is none (or it is another task's)."""
    try:
        return await ctx.queue.job(task, job_id)
    except TaskMismatchError:
        return None
    except CorruptStatusError as exc:
        raise AppError(ErrorCode.INTERNAL_ERROR, f"job {job_id} has a corrupt status") from exc


async def _run(ctx: Ctx, run_id: str) -> Job[TrainPayload, TrainResult]:
    job = await _job(ctx, ctx.tasks.train, run_id)
    if job is None:
        raise trainer_error(TrainerErrorCode.RUN_NOT_FOUND, f"run {run_id} not found")
    return job


async def _completed_run(ctx: Ctx, run_id: str) -> tuple[TrainPayload, ArtifactRef]:
    job = await _run(ctx, run_id)
    if job.result is None:
        raise AppError(
            ErrorCode.CONFLICT, f"run {run_id} is {run_status(job.status)}, not completed"
        )
    return job.payload, job.result.artifact


# --- runs --------------------------------------------------------------------------


def _check_model(body: TrainRequest) -> None:
    if body.model_family in ("llama", "qwen"):
        raise trainer_error(
            TrainerErrorCode.UNSUPPORTED_BACKEND,
            f"model family {body.model_family} is not available: use gpt2 or char_lstm",
        )
    sizes = SIZES["gpt2" if body.model_family == "gpt2" else "char_lstm"]
    if body.model_size not in sizes:
        raise trainer_error(
            TrainerErrorCode.INVALID_MODEL_SIZE,
            f"{body.model_family} has no size {body.model_size!r}: one of {', '.join(sizes)}",
        )
    if body.device == "cpu" and body.precision in ("fp16", "bf16"):
        raise AppError(
            ErrorCode.INVALID_INPUT, f"precision {body.precision} needs CUDA; the CPU runs fp32"
        )


async def create_run(call: Call[Ctx, TrainRequest]) -> TrainAccepted:
    """Queue a training run (checked first: family, size, tokenizer, corpus, base run)."""
    body, ctx = call.body, call.ctx
    _check_model(body)
    if not body.corpus_file_id.strip():
        raise trainer_error(TrainerErrorCode.CORPUS_NOT_FOUND, "corpus_file_id is required")
    tokenizer = (
        await _job(ctx, ctx.tasks.tokenizer, body.tokenizer_id) if body.tokenizer_id else None
    )
    if tokenizer is None:
        raise trainer_error(
            TrainerErrorCode.TOKENIZER_NOT_FOUND, f"tokenizer {body.tokenizer_id!r} not found"
        )
    if tokenizer.result is None:
        raise AppError(
            ErrorCode.CONFLICT,
            f"tokenizer {body.tokenizer_id} is {run_status(tokenizer.status)}, not completed",
        )
    await ctx.store.corpus_size(body.corpus_file_id)
    pretrained: ArtifactRef | None = None
    if body.pretrained_run_id is not None:
        _, pretrained = await _completed_run(ctx, body.pretrained_run_id)
    family: Family = "gpt2" if body.model_family == "gpt2" else "char_lstm"
    run_id = f"{family}-{body.model_size}-{uuid.uuid4().hex[:12]}"
    payload = TrainPayload(
        run_id=run_id,
        model_family=family,
        model_size=body.model_size,
        max_seq_len=body.max_seq_len,
        num_epochs=body.num_epochs,
        batch_size=body.batch_size,
        learning_rate=body.learning_rate,
        corpus_file_id=body.corpus_file_id,
        tokenizer_id=body.tokenizer_id,
        tokenizer=tokenizer.result.artifact,
        holdout_fraction=body.holdout_fraction,
        test_split_ratio=body.test_split_ratio,
        seed=body.seed,
        pretrained_run_id=body.pretrained_run_id,
        pretrained=pretrained,
        freeze_embed=body.freeze_embed,
        gradient_clipping=body.gradient_clipping,
        optimizer=body.optimizer,
        device=body.device,
        precision=body.precision,
        early_stopping_patience=body.early_stopping_patience,
        finetune_lr_cap=body.finetune_lr_cap,
        max_steps=body.max_steps,
    )
    await ctx.queue.enqueue(ctx.tasks.train, payload, user_id=body.user_id, job_id=run_id)
    return TrainAccepted(run_id=run_id, job_id=run_id)


async def read_run(call: Call[Ctx, NoBody, NoQuery, RunPath]) -> RunView:
    """A run's status, progress and, once completed, its artifact."""
    job = await _run(call.ctx, call.path.run_id)
    return RunView(
        run_id=call.path.run_id,
        status=run_status(job.status),
        progress=job.progress,
        message=job.message,
        error=job.error or None,
        last_heartbeat_ts=job.updated_at.timestamp(),
        artifact_file_id=job.result.artifact.file_id if job.result is not None else None,
    )


async def cancel_run(call: Call[Ctx, NoBody, NoQuery, RunPath]) -> CancelView:
    """Cancel a run: queued, it never starts; running, it stops before its next step and
    ends `failed` ("Training cancelled"). 404 for no run, 409 for a finished one."""
    await _run(call.ctx, call.path.run_id)
    outcome = await call.ctx.queue.cancel(call.path.run_id, reason="Training cancelled")
    if outcome == "finished":
        raise AppError(ErrorCode.CONFLICT, f"run {call.path.run_id} has already finished")
    return CancelView(status="cancellation-requested")


async def evaluate_run(call: Call[Ctx, EvaluateRequest, NoQuery, RunPath]) -> EvalView:
    """Queue an evaluation of a completed run's best checkpoint on one split."""
    ctx, run_id = call.ctx, call.path.run_id
    run, artifact = await _completed_run(ctx, run_id)
    request_id = uuid.uuid4().hex
    payload = EvalPayload(
        run_id=run_id,
        split=call.body.split,
        artifact=artifact,
        corpus_file_id=run.corpus_file_id,
        holdout_fraction=run.holdout_fraction,
        test_split_ratio=run.test_split_ratio,
        path_override=call.body.path_override,
    )
    await ctx.queue.enqueue(ctx.tasks.evaluate, payload, user_id=0, job_id=request_id)
    ttl_ms = int(ctx.settings.trainer_result_ttl_seconds * 1000)
    await ctx.redis.set(eval_key(run_id), request_id, px=ttl_ms)
    return EvalView(
        run_id=run_id,
        split=call.body.split,
        status="queued",
        loss=None,
        perplexity=None,
        artifact_path=None,
    )


async def read_eval(call: Call[Ctx, NoBody, NoQuery, RunPath]) -> EvalView:
    """The run's latest evaluation."""
    run_id = call.path.run_id
    request_id = await call.ctx.redis.get(eval_key(run_id))
    job = None if request_id is None else await _job(call.ctx, call.ctx.tasks.evaluate, request_id)
    if job is None:
        raise trainer_error(TrainerErrorCode.EVAL_NOT_FOUND, "evaluation not found")
    result = job.result
    return EvalView(
        run_id=run_id,
        split=job.payload.split,
        status=run_status(job.status),
        loss=None if result is None else result.loss,
        perplexity=None if result is None else result.perplexity,
        artifact_path=None if result is None else result.artifact_path,
    )


async def read_artifact(call: Call[Ctx, NoBody, NoQuery, RunPath]) -> ArtifactView:
    """Where the run's artifact is stored (data-bank-api)."""
    job = await _run(call.ctx, call.path.run_id)
    if job.result is None:
        raise trainer_error(TrainerErrorCode.DATA_NOT_FOUND, "artifact not found")
    return ArtifactView(storage="data-bank", file_id=job.result.artifact.file_id)


def _log_file(ctx: Ctx, run_id: str) -> Path:
    return log_path(ctx.settings.runs_dir / run_id)


async def read_logs(call: Call[Ctx, NoBody, LogsQuery, RunPath]) -> Response:
    """The last `tail` lines of the run's log (JSON lines)."""
    path = _log_file(call.ctx, call.path.run_id)
    if not await run_blocking(path.is_file):
        raise trainer_error(TrainerErrorCode.DATA_NOT_FOUND, "logs not found")
    tail = await run_blocking(tail_lines, path, call.query.tail)
    return Response(
        "".join(f"{line}\n" for line in tail[0]), media_type="text/plain; charset=utf-8"
    )


async def _follow(ctx: Ctx, run_id: str, path: Path, tail: int, follow: bool) -> AsyncIterator[str]:
    start = await run_blocking(tail_lines, path, tail)
    lines, offset = start
    for line in lines:
        yield f"data: {line}\n\n"
    while follow:
        job = await _job(ctx, ctx.tasks.train, run_id)
        ended = job is None or job.status in TERMINAL
        new = await run_blocking(read_new_lines, path, offset)
        lines, offset = new
        for line in lines:
            yield f"data: {line}\n\n"
        if ended:
            return
        await asyncio.sleep(FOLLOW_POLL_S)


async def stream_logs(call: Call[Ctx, NoBody, LogsQuery, RunPath]) -> Response:
    """Server-sent events: the log's last `tail` lines, then (with `follow`) every new line
    until the run ends."""
    path = _log_file(call.ctx, call.path.run_id)
    if not await run_blocking(path.is_file):
        raise trainer_error(TrainerErrorCode.DATA_NOT_FOUND, "logs not found")
    events = _follow(call.ctx, call.path.run_id, path, call.query.tail, call.query.follow)
    return StreamingResponse(
        events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


# --- inference ---------------------------------------------------------------------


async def create_score(call: Call[Ctx, ScoreRequest, NoQuery, RunPath]) -> ScoreView:
    """Queue scoring a text with a completed run's model."""
    _, artifact = await _completed_run(call.ctx, call.path.run_id)
    request_id = uuid.uuid4().hex
    body = call.body
    payload = ScorePayload(
        run_id=call.path.run_id,
        artifact=artifact,
        text=body.text,
        path=body.path,
        detail_level=body.detail_level,
        top_k=body.top_k,
        seed=body.seed,
    )
    await call.ctx.queue.enqueue(call.ctx.tasks.score, payload, user_id=0, job_id=request_id)
    return ScoreView(request_id=request_id, status="queued")


def _not_found(what: str) -> AppError:
    return AppError(ErrorCode.NOT_FOUND, f"{what} not found")


async def read_score(call: Call[Ctx, NoBody, NoQuery, RequestPath]) -> ScoreView:
    """A score request's state and result."""
    job = await _job(call.ctx, call.ctx.tasks.score, call.path.request_id)
    if job is None or job.payload.run_id != call.path.run_id:
        raise _not_found("score request")
    result = job.result
    view = ScoreView(request_id=call.path.request_id, status=run_status(job.status))
    if result is None:
        return view
    return ScoreView(
        request_id=call.path.request_id,
        status=view.status,
        loss=result.loss,
        perplexity=result.perplexity,
        surprisal=result.surprisal,
        topk=result.topk,
        tokens=result.tokens,
    )


async def create_generation(call: Call[Ctx, GenerateRequest, NoQuery, RunPath]) -> GenerateView:
    """Queue sampling continuations of a prompt."""
    _, artifact = await _completed_run(call.ctx, call.path.run_id)
    request_id = uuid.uuid4().hex
    body = call.body
    payload = GeneratePayload(
        run_id=call.path.run_id,
        artifact=artifact,
        prompt_text=body.prompt_text,
        prompt_path=body.prompt_path,
        max_new_tokens=body.max_new_tokens,
        temperature=body.temperature,
        top_k=body.top_k,
        top_p=body.top_p,
        stop_on_eos=body.stop_on_eos,
        stop_sequences=body.stop_sequences,
        seed=body.seed,
        num_return_sequences=body.num_return_sequences,
    )
    await call.ctx.queue.enqueue(call.ctx.tasks.generate, payload, user_id=0, job_id=request_id)
    return GenerateView(request_id=request_id, status="queued")


async def read_generation(call: Call[Ctx, NoBody, NoQuery, RequestPath]) -> GenerateView:
    """A generation's state and outputs (`steps`: new ids over all sequences)."""
    job = await _job(call.ctx, call.ctx.tasks.generate, call.path.request_id)
    if job is None or job.payload.run_id != call.path.run_id:
        raise _not_found("generate request")
    status = run_status(job.status)
    if job.result is None:
        return GenerateView(request_id=call.path.request_id, status=status)
    outputs = job.result.outputs
    return GenerateView(
        request_id=call.path.request_id,
        status=status,
        outputs=[o.text for o in outputs],
        steps=sum(o.steps for o in outputs),
        eos_terminated=[o.eos_terminated for o in outputs],
        sequences=outputs,
    )


async def create_chat(call: Call[Ctx, ChatRequest, NoQuery, RunPath]) -> ChatView:
    """Queue one chat turn (a new session when `session_id` is null)."""
    ctx, run_id, body = call.ctx, call.path.run_id, call.body
    _, artifact = await _completed_run(ctx, run_id)
    if body.session_id is None:
        session = await ctx.sessions.create(run_id, uuid.uuid4().hex)
    else:
        found = await ctx.sessions.read(run_id, body.session_id)
        if found is None:
            raise _not_found("session")
        session = found
    request_id = uuid.uuid4().hex
    payload = ChatPayload(
        run_id=run_id,
        artifact=artifact,
        session_id=session.session_id,
        message=body.message,
        max_new_tokens=body.max_new_tokens,
        temperature=body.temperature,
        top_k=body.top_k,
        top_p=body.top_p,
    )
    await ctx.queue.enqueue(ctx.tasks.chat, payload, user_id=0, job_id=request_id)
    return ChatView(
        session_id=session.session_id, status="queued", request_id=request_id, response=None
    )


async def read_chat_turn(call: Call[Ctx, NoBody, NoQuery, ChatTurnPath]) -> ChatView:
    """A chat turn's state and answer."""
    path = call.path
    job = await _job(call.ctx, call.ctx.tasks.chat, path.request_id)
    if job is None or (job.payload.run_id, job.payload.session_id) != (
        path.run_id,
        path.session_id,
    ):
        raise _not_found("chat request")
    return ChatView(
        session_id=path.session_id,
        status=run_status(job.status),
        request_id=path.request_id,
        response=None if job.result is None else job.result.response,
    )


async def read_session(call: Call[Ctx, NoBody, NoQuery, SessionPath]) -> SessionView:
    """A chat session's messages."""
    session = await call.ctx.sessions.read(call.path.run_id, call.path.session_id)
    if session is None:
        raise _not_found("session")
    return SessionView(
        session_id=session.session_id,
        run_id=session.run_id,
        messages=session.messages,
        created_at=session.created_at,
    )


async def delete_session(call: Call[Ctx, NoBody, NoQuery, SessionPath]) -> CancelView:
    """Delete a chat session (the original's answer body)."""
    if not await call.ctx.sessions.delete(call.path.run_id, call.path.session_id):
        raise _not_found("session")
    return CancelView(status="cancellation-requested")


# --- tokenizers --------------------------------------------------------------------


def _tokenizer_dir(ctx: Ctx, tokenizer: str) -> str:
    return str(ctx.settings.tokenizers_dir / tokenizer)


async def create_tokenizer(call: Call[Ctx, TokenizerTrainRequest]) -> TokenizerAccepted:
    """Queue training a tokenizer; the same request on the same corpus is the same
    tokenizer (its id is derived from both), queued once."""
    body, ctx = call.body, call.ctx
    await ctx.store.corpus_size(body.corpus_file_id)
    tok_id = tokenizer_id(
        body.method, body.vocab_size, body.min_frequency, body.seed, body.corpus_file_id
    )
    if await _job(ctx, ctx.tasks.tokenizer, tok_id) is None:
        payload = TokenizerPayload(
            tokenizer_id=tok_id,
            method=body.method,
            vocab_size=body.vocab_size,
            min_frequency=body.min_frequency,
            corpus_file_id=body.corpus_file_id,
            holdout_fraction=body.holdout_fraction,
            seed=body.seed,
        )
        await ctx.queue.enqueue(ctx.tasks.tokenizer, payload, user_id=0, job_id=tok_id)
    return TokenizerAccepted(
        tokenizer_id=tok_id, artifact_path=_tokenizer_dir(ctx, tok_id), coverage=None, oov_rate=None
    )


async def read_tokenizer(call: Call[Ctx, NoBody, NoQuery, TokenizerPath]) -> TokenizerView:
    """A tokenizer's state and, once trained, its stats."""
    tok_id = call.path.tokenizer_id
    job = await _job(call.ctx, call.ctx.tasks.tokenizer, tok_id)
    if job is None:
        raise trainer_error(TrainerErrorCode.TOKENIZER_NOT_FOUND, f"tokenizer {tok_id} not found")
    result = job.result
    stats = None if result is None else result.stats
    return TokenizerView(
        tokenizer_id=tok_id,
        artifact_path=_tokenizer_dir(call.ctx, tok_id),
        status=run_status(job.status),
        coverage=None if stats is None else stats.coverage,
        oov_rate=None if stats is None else stats.oov_rate,
        token_count=None if stats is None else stats.token_count,
        char_coverage=None if stats is None else stats.char_coverage,
        vocab_size=None if result is None else result.vocab_size,
        file_id=None if result is None else result.artifact.file_id,
        error=job.error or None,
    )


def routes() -> list[Route[Ctx]]:
    """The service's routes; each needs the API key (scope `api`)."""
    return [
        post("/runs/train")
        .requires(SCOPE)
        .body(TrainRequest)
        .returns(TrainAccepted)
        .to(create_run),
        get("/runs/{run_id}").requires(SCOPE).path(RunPath).returns(RunView).to(read_run),
        post("/runs/{run_id}/cancel")
        .requires(SCOPE)
        .path(RunPath)
        .returns(CancelView)
        .to(cancel_run),
        post("/runs/{run_id}/evaluate")
        .requires(SCOPE)
        .body(EvaluateRequest)
        .path(RunPath)
        .returns(EvalView)
        .to(evaluate_run),
        get("/runs/{run_id}/eval").requires(SCOPE).path(RunPath).returns(EvalView).to(read_eval),
        get("/runs/{run_id}/artifact")
        .requires(SCOPE)
        .path(RunPath)
        .returns(ArtifactView)
        .to(read_artifact),
        get("/runs/{run_id}/logs")
        .requires(SCOPE)
        .query(LogsQuery)
        .path(RunPath)
        .returns_raw("text/plain")
        .to(read_logs),
        get("/runs/{run_id}/logs/stream")
        .requires(SCOPE)
        .query(LogsQuery)
        .path(RunPath)
        .returns_raw("text/event-stream")
        .to(stream_logs),
        post("/runs/{run_id}/score")
        .requires(SCOPE)
        .body(ScoreRequest)
        .path(RunPath)
        .returns(ScoreView)
        .to(create_score),
        get("/runs/{run_id}/score/{request_id}")
        .requires(SCOPE)
        .path(RequestPath)
        .returns(ScoreView)
        .to(read_score),
        post("/runs/{run_id}/generate")
        .requires(SCOPE)
        .body(GenerateRequest)
        .path(RunPath)
        .returns(GenerateView)
        .to(create_generation),
        get("/runs/{run_id}/generate/{request_id}")
        .requires(SCOPE)
        .path(RequestPath)
        .returns(GenerateView)
        .to(read_generation),
        post("/runs/{run_id}/chat")
        .requires(SCOPE)
        .body(ChatRequest)
        .path(RunPath)
        .returns(ChatView)
        .to(create_chat),
        get("/runs/{run_id}/chat/{session_id}/{request_id}")
        .requires(SCOPE)
        .path(ChatTurnPath)
        .returns(ChatView)
        .to(read_chat_turn),
        get("/runs/{run_id}/chat/{session_id}")
        .requires(SCOPE)
        .path(SessionPath)
        .returns(SessionView)
        .to(read_session),
        delete("/runs/{run_id}/chat/{session_id}")
        .requires(SCOPE)
        .path(SessionPath)
        .returns(CancelView)
        .to(delete_session),
        post("/tokenizers/train")
        .requires(SCOPE)
        .body(TokenizerTrainRequest)
        .returns(TokenizerAccepted)
        .to(create_tokenizer),
        get("/tokenizers/{tokenizer_id}")
        .requires(SCOPE)
        .path(TokenizerPath)
        .returns(TokenizerView)
        .to(read_tokenizer),
    ]


def readiness(ctx: Ctx) -> list[ReadinessCheck]:
    """Redis answers PING, then a worker serves the `trainer` queue."""
    return [redis_ping(ctx.redis), live_worker_check(ctx.queue)]


@asynccontextmanager
async def open_context(settings: TrainerSettings) -> AsyncIterator[Ctx]:
    """Redis, the queue, data-bank-api's client and the chat sessions."""
    async with (
        open_redis(
            settings.redis_url, socket_timeout_s=settings.trainer_redis_timeout_seconds
        ) as redis,
        DataBankClient(
            settings.data_bank_url,
            settings.data_bank_api_key.get_secret_value(),
            timeout_s=settings.trainer_data_bank_timeout_seconds,
        ) as bank,
    ):
        yield Ctx(
            settings=settings,
            redis=redis,
            queue=Queue(redis, QUEUE),
            tasks=trainer_tasks(settings),
            store=Store(bank, max_corpus_bytes=settings.trainer_max_corpus_bytes),
            sessions=ChatSessions(redis, settings.trainer_chat_session_ttl_seconds),
        )


def build_app(settings: TrainerSettings) -> Starlette:
    """The ASGI app."""
    return create_app(
        service=SERVICE,
        settings=settings,
        resources=open_context,
        routes=routes(),
        readiness=readiness,
        auth=api_key_auth(settings, SCOPE),
        errors=ERRORS,
        description="Tokenizers and small language models trained and served as queued jobs.",
    )
