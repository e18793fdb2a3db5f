"""The corpus job: its task declaration (shared by API and worker) and the worker's handler.

Task `turkic_api.jobs.process_corpus` on queue `turkic`: payload = the request's seven
validated fields, result = the uploaded corpus (`file_id`, size, SHA-256, lines). The
queue emits `turkic.job.{started,progress,completed,failed}.v1`; `completed` reports
`result_id` = the data-bank file id and `result_bytes` = its size.

Progress is a real percentage: building the corpus is 0-70 (sentences written of
`max_sentences`), transliterating and uploading 70-99 (lines done of the corpus's
lines); a cached corpus jumps to 70. Every failure ends the job `failed` with a
message (`user`: nothing in the source passed the filter; `system`: a source, language
ID, transliteration or upload failure); none leaves it `processing`.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from platform_core.async_events import Domain
from platform_core.blocking import run_blocking
from platform_core.data_bank_client import DataBankError
from platform_workers.async_queue import (
    JobContext,
    ResultRef,
    SystemFailureError,
    Task,
    UserError,
)
from turkic_api.components import Components
from turkic_api.corpus import (
    CorpusSpec,
    EmptyCorpusError,
    build_corpus,
    corpus_lines,
    count_lines,
)
from turkic_api.ipa import transliterate_lines
from turkic_api.langid import LangFilter, LangIdError
from turkic_api.languages import Language, Script, Source
from turkic_api.settings import TurkicSettings
from turkic_api.sources import SourceError

QUEUE: Domain = "turkic"
TASK_NAME = "turkic_api.jobs.process_corpus"
CONTENT_TYPE = "text/plain; charset=utf-8"
CORPUS_SHARE = 70
LAST_BEFORE_DONE = 99


class CorpusPayload(BaseModel):
    """A checked request (the API refuses what a job could not fulfil)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: Source
    language: Language
    script: Script | None
    max_sentences: Annotated[int, Field(ge=1, le=100_000)]
    transliterate: bool
    confidence_threshold: Annotated[float, Field(ge=0.0, le=1.0)]


class CorpusResult(BaseModel):
    """The uploaded corpus."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file_id: str
    size: int
    sha256: str
    lines: int


def describe(result: CorpusResult, job_id: str) -> ResultRef:
    """The `completed` event's result: the data-bank file id and its size."""
    del job_id
    return ResultRef(result_id=result.file_id, result_bytes=result.size)


def corpus_task(settings: TurkicSettings) -> Task[CorpusPayload, CorpusResult]:
    """The corpus task with the configured timeout and result TTL."""
    return Task(
        TASK_NAME,
        CorpusPayload,
        CorpusResult,
        timeout_s=settings.turkic_job_timeout_seconds,
        result_ttl_s=settings.turkic_result_ttl_seconds,
        describe=describe,
    )


def spec_of(payload: CorpusPayload, components: Components) -> CorpusSpec:
    """The corpus a payload needs."""
    return CorpusSpec(
        source=payload.source,
        origin=components.sources[payload.source].origin,
        language=payload.language,
        script=payload.script,
        threshold=payload.confidence_threshold,
        max_sentences=payload.max_sentences,
        model_id=components.model.model_id,
    )


async def ensure_corpus(payload: CorpusPayload, components: Components, ctx: JobContext) -> int:
    """The corpus file for the payload (built unless cached); its line count."""
    spec = spec_of(payload, components)
    path = spec.path(components.data_dir)
    if await run_blocking(path.exists):
        await ctx.progress(CORPUS_SHARE, "corpus cached")
        return await run_blocking(count_lines, path)
    lang_filter = LangFilter(
        components.model, payload.language, payload.script, payload.confidence_threshold
    )

    async def progress(written: int) -> None:
        await ctx.progress(written * CORPUS_SHARE // payload.max_sentences, "building corpus")

    sentences = components.sources[payload.source].sentences(payload.language)
    return await build_corpus(sentences, lang_filter, payload.max_sentences, path, progress)


async def output_bytes(
    payload: CorpusPayload, components: Components, lines: int, ctx: JobContext
) -> AsyncIterator[bytes]:
    """The corpus's lines (in IPA when asked), UTF-8, a batch at a time."""
    path = spec_of(payload, components).path(components.data_dir)
    done = 0
    async for batch in corpus_lines(path):
        out = batch
        if payload.transliterate:
            out = await run_blocking(transliterate_lines, batch, payload.language)
        yield "".join(f"{line}\n" for line in out).encode()
        done += len(batch)
        share = LAST_BEFORE_DONE - CORPUS_SHARE
        await ctx.progress(CORPUS_SHARE + done * share // lines, "transliterating and uploading")


async def process_corpus(
    components: Components, payload: CorpusPayload, ctx: JobContext
) -> CorpusResult:
    """Build (or reuse) the corpus, transliterate it and stream it to the data bank."""
    try:
        lines = await ensure_corpus(payload, components, ctx)
        stored = await components.bank.upload(
            output_bytes(payload, components, lines, ctx),
            filename=f"{ctx.job_id}.txt",
            content_type=CONTENT_TYPE,
        )
    except EmptyCorpusError as exc:
        raise UserError(str(exc)) from exc
    except SourceError as exc:
        raise SystemFailureError(str(exc)) from exc
    except LangIdError as exc:
        raise SystemFailureError(f"language ID failed: {exc}") from exc
    except DataBankError as exc:
        raise SystemFailureError(f"upload failed: {exc}") from exc
    return CorpusResult(file_id=stored.file_id, size=stored.size, sha256=stored.sha256, lines=lines)
