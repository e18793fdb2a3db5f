"""The corpus sources, each an async stream of sentences that never blocks the event loop.

- `WikipediaSource`: `{base}/{lang}wiki/latest/{lang}wiki-latest-pages-articles.xml.bz2`
  streamed over HTTP (`platform_core.http_fetch`), decompressed and parsed chunk by
  chunk in a thread (`wikitext.DumpReader`).
- `HfDatasetSource`: OSCAR and CulturaX through Hugging Face `datasets` in streaming
  mode (`load_dataset(location, data_dir=..., split="train", streaming=True)`), rows'
  `text` stripped; the dataset is read in batches of rows in a thread. `location` is a
  hub id or a local directory (tests use one), `data_dir` the language's folder in it;
  `datasets` keeps its cache and locks in `cache_dir` (the worker's data directory,
  not the home directory, which may be read-only).

Every failure to read a source raises `SourceError` with what failed.
"""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from platform_core.blocking import run_blocking
from platform_core.http_fetch import FetchError, fetch_stream
from turkic_api.languages import Language
from turkic_api.untyped import attribute
from turkic_api.wikitext import DumpFormatError, DumpReader

HF_BATCH_ROWS = 256
# Compressed bytes per parsing step: what one step holds decompressed is this times the
# dump's compression ratio (about 5 for Wikipedia), so it stays a few hundred KiB.
DUMP_CHUNK_BYTES = 64 * 1024


class SourceError(Exception):
    """A source could not be read (download failed, malformed data)."""


class SentenceSource(Protocol):
    """Where sentences of a language come from."""

    @property
    def origin(self) -> str:
        """Where this source reads from (part of the corpus cache key)."""
        ...

    def sentences(self, language: Language) -> AsyncIterator[str]:
        """The language's sentences, in source order."""
        ...


@dataclass(frozen=True, slots=True)
class WikipediaSource:
    """Wikipedia's `pages-articles` dump of the language, from `base_url`."""

    base_url: str
    timeout_s: float = 30.0
    chunk_bytes: int = DUMP_CHUNK_BYTES

    @property
    def origin(self) -> str:
        """The dumps' base URL."""
        return self.base_url.rstrip("/")

    def dump_url(self, language: Language) -> str:
        """The URL of the language's latest articles dump."""
        return f"{self.origin}/{language}wiki/latest/{language}wiki-latest-pages-articles.xml.bz2"

    async def sentences(self, language: Language) -> AsyncIterator[str]:
        """The dump's sentences, parsed as its bytes arrive."""
        url = self.dump_url(language)
        reader = DumpReader()
        try:
            async with fetch_stream(
                url, timeout_s=self.timeout_s, chunk_bytes=self.chunk_bytes
            ) as body:
                async for chunk in body.chunks:
                    for sentence in await run_blocking(reader.feed, chunk):
                        yield sentence
            reader.close()
        except FetchError as exc:
            raise SourceError(f"Wikipedia dump download failed: {exc}") from exc
        except DumpFormatError as exc:
            raise SourceError(f"Wikipedia dump {url} is malformed: {exc}") from exc


@runtime_checkable
class _Rows(Protocol):
    def __iter__(self) -> Iterator[object]: ...


@runtime_checkable
class _Row(Protocol):
    def get(self, key: str) -> object: ...


@runtime_checkable
class _LoadDataset(Protocol):
    def __call__(
        self,
        path: str,
        *,
        data_dir: str,
        split: str,
        streaming: bool,
        token: str | None,
        cache_dir: str | None,
    ) -> object: ...


def _load_rows(source: "HfDatasetSource", data_dir: str) -> Iterator[object]:
    module, location = source.module, source.location
    load = attribute(module, "load_dataset")
    if not isinstance(load, _LoadDataset):
        raise SourceError(f"{module} has no load_dataset")
    try:
        dataset = load(
            location,
            data_dir=data_dir,
            split="train",
            streaming=True,
            token=source.token,
            cache_dir=source.cache_dir,
        )
    except (OSError, ValueError) as exc:
        raise SourceError(f"dataset {location} ({data_dir}) could not be opened: {exc}") from exc
    if not isinstance(dataset, _Rows):
        raise SourceError(f"dataset {location} is not iterable")
    return iter(dataset)


def _next_texts(rows: Iterator[object], count: int) -> list[str]:
    texts: list[str] = []
    try:
        for row in rows:
            text = row.get("text") if isinstance(row, _Row) else None
            if not isinstance(text, str):
                raise SourceError(f"a dataset row has no text field: {row!r:.200}")
            texts.append(text.strip())
            if len(texts) == count:
                break
    except (OSError, ValueError) as exc:
        raise SourceError(f"reading the dataset failed: {exc}") from exc
    return texts


@dataclass(frozen=True, slots=True)
class HfDatasetSource:
    """A Hugging Face dataset (OSCAR, CulturaX) streamed; `data_dir` has `{language}`."""

    location: str
    data_dir: str = "{language}"
    token: str | None = None
    cache_dir: str | None = None
    module: str = "datasets"

    @property
    def origin(self) -> str:
        """The dataset location and its folder template."""
        return f"{self.location}#{self.data_dir}"

    async def sentences(self, language: Language) -> AsyncIterator[str]:
        """The rows' texts (stripped, blank ones skipped), read in batches in a thread."""
        data_dir = self.data_dir.format(language=language)
        rows = await run_blocking(_load_rows, self, data_dir)
        while batch := await run_blocking(_next_texts, rows, HF_BATCH_ROWS):
            for text in batch:
                if text:
                    yield text
