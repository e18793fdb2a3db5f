"""The corpus cache: filtered sentences of a source, one file per everything that shapes it.

`CorpusSpec.key()` hashes the source kind and where it reads from, the language, the
script, the confidence threshold, `max_sentences` and the language-ID model's
identity, so a request only reuses a corpus that it would have built itself (the
original reused the first request's file for every later one). A corpus is written
to a temporary file, flushed and fsynced, then renamed into place: a reader never
sees half a corpus, and a failed build leaves nothing behind.
"""

import hashlib
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from io import TextIOWrapper
from pathlib import Path

from platform_core.blocking import run_blocking
from turkic_api.langid import LangFilter
from turkic_api.languages import Language, Script, Source

FILTER_BATCH = 256
Progress = Callable[[int], Awaitable[None]]
"""Told the number of sentences written so far, after each batch."""


class EmptyCorpusError(Exception):
    """No sentence of the source passed the filter."""


@dataclass(frozen=True, slots=True)
class CorpusSpec:
    """Everything that changes a corpus's content."""

    source: Source
    origin: str
    language: Language
    script: Script | None
    threshold: float
    max_sentences: int
    model_id: str

    def key(self) -> str:
        """32 hex digits of the SHA-256 of the spec's canonical JSON."""
        fields = [
            self.source,
            self.origin,
            self.language,
            self.script,
            self.threshold,
            self.max_sentences,
            self.model_id,
        ]
        text = json.dumps(fields, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def path(self, data_dir: Path) -> Path:
        """`{data_dir}/corpus/{source}_{language}_{key}.txt`."""
        return data_dir / "corpus" / f"{self.source}_{self.language}_{self.key()}.txt"


def one_line(sentence: str) -> str:
    """The sentence on one line (newlines and carriage returns become spaces)."""
    return sentence.replace("\r", " ").replace("\n", " ")


def _open_new(path: Path) -> TextIOWrapper:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("x", encoding="utf-8", newline="\n")


def _kept(lang_filter: LangFilter, batch: list[str]) -> list[str]:
    return [sentence for sentence in batch if lang_filter.keep(sentence)]


def _write(handle: TextIOWrapper, lines: list[str]) -> None:
    handle.write("".join(f"{one_line(line)}\n" for line in lines))


def _commit(handle: TextIOWrapper, temp: Path, path: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    temp.replace(path)
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _discard(handle: TextIOWrapper, temp: Path) -> None:
    handle.close()
    temp.unlink(missing_ok=True)


class _Writer:
    """Filters batches in a thread and appends what passes, up to the limit."""

    def __init__(
        self, handle: TextIOWrapper, lang_filter: LangFilter, limit: int, progress: Progress
    ) -> None:
        self.handle = handle
        self.lang_filter = lang_filter
        self.limit = limit
        self.progress = progress
        self.written = 0

    @property
    def full(self) -> bool:
        return self.written >= self.limit

    async def flush(self, batch: list[str]) -> None:
        kept = await run_blocking(_kept, self.lang_filter, batch)
        kept = kept[: self.limit - self.written]
        await run_blocking(_write, self.handle, kept)
        self.written += len(kept)
        await self.progress(self.written)


async def _fill(sentences: AsyncIterator[str], writer: _Writer) -> None:
    batch: list[str] = []
    async for sentence in sentences:
        batch.append(sentence)
        if len(batch) == FILTER_BATCH:
            await writer.flush(batch)
            batch = []
            if writer.full:
                return
    if batch:
        await writer.flush(batch)


async def build_corpus(
    sentences: AsyncIterator[str],
    lang_filter: LangFilter,
    max_sentences: int,
    path: Path,
    progress: Progress,
) -> int:
    """Write up to `max_sentences` sentences that pass `lang_filter` to `path`; how many.

    Sentences are filtered in batches in a thread. Raises `EmptyCorpusError` when none
    passes; any failure (of the source too) removes the temporary file.
    """
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    handle = await run_blocking(_open_new, temp)
    writer = _Writer(handle, lang_filter, max_sentences, progress)
    try:
        await _fill(sentences, writer)
    except BaseException:
        await run_blocking(_discard, handle, temp)
        raise
    if not writer.written:
        await run_blocking(_discard, handle, temp)
        raise EmptyCorpusError("No sentences were written for the requested corpus")
    await run_blocking(_commit, handle, temp, path)
    return writer.written


def _read_lines(handle: TextIOWrapper, count: int) -> list[str]:
    lines: list[str] = []
    while len(lines) < count:
        line = handle.readline()
        if not line:
            break
        if line.strip():
            lines.append(line.strip())
    return lines


def _open_read(path: Path) -> TextIOWrapper:
    return path.open(encoding="utf-8", newline="\n")


async def corpus_lines(path: Path, batch: int = FILTER_BATCH) -> AsyncIterator[list[str]]:
    """The corpus's non-blank lines (stripped), in batches read in a thread."""
    handle = await run_blocking(_open_read, path)
    try:
        while lines := await run_blocking(_read_lines, handle, batch):
            yield lines
    finally:
        await run_blocking(handle.close)


def count_lines(path: Path) -> int:
    """How many non-blank lines the corpus has (synchronous)."""
    with _open_read(path) as handle:
        return sum(1 for line in handle if line.strip())
