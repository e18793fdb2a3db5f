"""Shared fixtures: the vendored fortunes corpus and its splits."""

import pathlib

import pytest

from model_trainer.corpus import CorpusSplits, split_corpus

CORPUS = pathlib.Path(__file__).resolve().parent.parent / "corpus" / "fortunes.txt"


@pytest.fixture(scope="session")
def corpus_text() -> str:
    """The fortunes corpus (Debian's fortunes-min; corpus/LICENSE)."""
    return CORPUS.read_text()


@pytest.fixture(scope="session")
def splits(corpus_text: str) -> CorpusSplits:
    """A small slice of the corpus, split: 200 lines, 10% validation, 10% test."""
    lines = corpus_text.splitlines()[:200]
    return split_corpus("\n".join(lines), holdout_fraction=0.1, test_fraction=0.1)
