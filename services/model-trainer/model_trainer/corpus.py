"""A text corpus split by lines into train, validation and test parts.

The original split corpus *files*, so a one-file corpus (every fetched corpus) trained,
validated and tested on the same text. Here the non-empty lines are split: the last
`test_fraction` of them (at least one) are the test part, the `holdout_fraction` before
those (at least one) the validation part, the rest the training part. The split is by
position, so it is deterministic and needs no seed.
"""

from dataclasses import dataclass
from typing import Literal

Split = Literal["train", "validation", "test"]
MIN_LINES = 3


class CorpusEmptyError(Exception):
    """The corpus has too few non-empty lines to train on."""


@dataclass(frozen=True, slots=True)
class CorpusSplits:
    """The corpus's lines, by part."""

    train: tuple[str, ...]
    validation: tuple[str, ...]
    test: tuple[str, ...]

    def part(self, split: Split) -> tuple[str, ...]:
        """The lines of `split`."""
        if split == "train":
            return self.train
        if split == "validation":
            return self.validation
        return self.test


def corpus_lines(text: str) -> list[str]:
    """The corpus's non-empty lines, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def split_corpus(text: str, *, holdout_fraction: float, test_fraction: float) -> CorpusSplits:
    """Split `text`'s non-empty lines (see the module docstring); `CorpusEmptyError` when
    there are fewer than three, or too few to leave any training line."""
    lines = corpus_lines(text)
    if len(lines) < MIN_LINES:
        raise CorpusEmptyError(
            f"the corpus has {len(lines)} non-empty line(s); at least {MIN_LINES} are needed"
        )
    n_test = max(1, int(len(lines) * test_fraction))
    n_val = max(1, int(len(lines) * holdout_fraction))
    n_train = len(lines) - n_test - n_val
    if n_train < 1:
        raise CorpusEmptyError("the holdout and test fractions leave no training lines")
    return CorpusSplits(
        train=tuple(lines[:n_train]),
        validation=tuple(lines[n_train : n_train + n_val]),
        test=tuple(lines[n_train + n_val :]),
    )
