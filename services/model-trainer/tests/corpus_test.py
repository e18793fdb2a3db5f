"""Splitting a corpus by lines."""

import pytest

from model_trainer.corpus import CorpusEmptyError, corpus_lines, split_corpus


def test_lines_are_stripped_and_blank_lines_dropped() -> None:
    assert corpus_lines(" a \n\n  \nb\n") == ["a", "b"]


def test_the_last_lines_are_test_the_ones_before_validation() -> None:
    text = "\n".join(str(i) for i in range(20))
    splits = split_corpus(text, holdout_fraction=0.1, test_fraction=0.1)
    assert splits.train == tuple(str(i) for i in range(16))
    assert splits.validation == ("16", "17")
    assert splits.test == ("18", "19")
    assert splits.part("train") == splits.train
    assert splits.part("validation") == splits.validation
    assert splits.part("test") == splits.test


def test_each_holdout_part_has_at_least_one_line() -> None:
    splits = split_corpus("a\nb\nc", holdout_fraction=0.0, test_fraction=0.0)
    assert (splits.train, splits.validation, splits.test) == (("a",), ("b",), ("c",))


def test_the_real_corpus_splits_into_three_disjoint_parts(corpus_text: str) -> None:
    splits = split_corpus(corpus_text, holdout_fraction=0.05, test_fraction=0.05)
    assert len(splits.validation) == len(splits.test) == len(corpus_lines(corpus_text)) // 20
    assert splits.train + splits.validation + splits.test == tuple(corpus_lines(corpus_text))


def test_too_few_lines_are_refused() -> None:
    with pytest.raises(CorpusEmptyError, match="has 2 non-empty line"):
        split_corpus("a\n\nb", holdout_fraction=0.1, test_fraction=0.1)


def test_fractions_that_leave_no_training_line_are_refused() -> None:
    with pytest.raises(CorpusEmptyError, match="leave no training lines"):
        split_corpus("a\nb\nc\nd", holdout_fraction=0.5, test_fraction=0.5)
