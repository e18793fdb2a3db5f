"""The corpus cache key and the atomic build."""

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from turkic_api.corpus import (
    CorpusSpec,
    EmptyCorpusError,
    build_corpus,
    corpus_lines,
    count_lines,
    one_line,
)
from turkic_api.langid import Guess, LangFilter

SPEC = CorpusSpec(
    source="wikipedia",
    origin="http://dumps",
    language="kk",
    script=None,
    threshold=0.5,
    max_sentences=10,
    model_id="m1",
)


def test_every_field_changes_the_key(tmp_path: Path) -> None:
    changed = [
        replace(SPEC, source="oscar"),
        replace(SPEC, origin="http://other"),
        replace(SPEC, language="ky"),
        replace(SPEC, script="Cyrl"),
        replace(SPEC, threshold=0.6),
        replace(SPEC, max_sentences=11),
        replace(SPEC, model_id="m2"),
    ]
    keys = {spec.key() for spec in [SPEC, *changed]}
    assert len(keys) == len(changed) + 1
    assert SPEC.key() == replace(SPEC).key()
    assert SPEC.path(tmp_path) == tmp_path / "corpus" / f"wikipedia_kk_{SPEC.key()}.txt"


class ByPrefix:
    """Says `kk` for sentences starting with "kk", else `en`."""

    @property
    def model_id(self) -> str:
        return "prefix"

    def identify(self, text: str) -> Guess:
        return Guess("kk" if text.startswith("kk") else "en", None, 1.0)


FILTER = LangFilter(ByPrefix(), "kk", None, 0.5)


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def stream(items: list[str], fail: Exception | None = None) -> AsyncIterator[str]:
    for item in items:
        yield item
    if fail is not None:
        raise fail


async def build(
    items: list[str], path: Path, limit: int, fail: Exception | None = None
) -> tuple[int, list[int]]:
    seen: list[int] = []

    async def progress(written: int) -> None:
        seen.append(written)

    count = await build_corpus(stream(items, fail), FILTER, limit, path, progress)
    return count, seen


async def test_kept_sentences_up_to_the_limit_one_per_line(tmp_path: Path) -> None:
    items = [f"kk {i}\nline" if i % 2 else f"en {i}" for i in range(600)]
    path = tmp_path / "corpus" / "c.txt"
    count, seen = await build(items, path, 200)
    assert count == 200
    assert seen == [128, 200]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "kk 1 line"
    assert len(lines) == 200
    assert count_lines(path) == 200
    assert names(path.parent) == ["c.txt"]


async def test_a_source_of_whole_batches(tmp_path: Path) -> None:
    count, seen = await build([f"kk {i}" for i in range(512)], tmp_path / "c.txt", 1000)
    assert (count, seen) == (512, [256, 512])


async def test_a_short_source_writes_what_it_has(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    assert await build(["kk a", "en b", "kk c"], path, 10) == (2, [2])
    batches = [batch async for batch in corpus_lines(path, batch=1)]
    assert batches == [["kk a"], ["kk c"]]


async def test_nothing_kept_is_an_error_and_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(EmptyCorpusError, match="No sentences were written"):
        await build(["en a", "en b"], tmp_path / "c.txt", 10)
    assert names(tmp_path) == []


async def test_a_failing_source_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="lost"):
        await build(["kk a"], tmp_path / "c.txt", 10, fail=OSError("lost"))
    assert names(tmp_path) == []


async def test_blank_lines_are_skipped_when_read(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text("a\n\n  \nb\n", encoding="utf-8")
    assert [batch async for batch in corpus_lines(path)] == [["a", "b"]]
    assert count_lines(path) == 2
    assert one_line("a\r\nb") == "a  b"
