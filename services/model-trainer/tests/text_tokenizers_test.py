"""Tokenizers of each kind: training, ids, round trips, files, stats and ids."""

import pathlib

import pytest
from tokenizers import Tokenizer, models

from model_trainer.corpus import CorpusSplits
from model_trainer.text_tokenizers import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    UNK_ID,
    BpeTokenizer,
    CharTokenizer,
    CharVocabulary,
    SentencePieceTokenizer,
    TextTokenizer,
    TokenizerLoadError,
    TokenizerMethod,
    _ids_of,
    _text_of,
    load_tokenizer,
    tokenizer_id,
    tokenizer_stats,
    train_tokenizer,
)

METHODS: tuple[TokenizerMethod, ...] = ("char", "bpe", "sentencepiece")
TEXT = "A day for firm decisions!"


@pytest.mark.parametrize("method", METHODS)
def test_each_kind_round_trips_text_and_loads_back(
    method: TokenizerMethod, splits: CorpusSplits, tmp_path: pathlib.Path
) -> None:
    tokenizer = train_tokenizer(method, splits.train, vocab_size=200, min_frequency=2)
    assert tokenizer.method == method
    ids = tokenizer.encode(TEXT)
    assert all(3 < i < tokenizer.vocab_size for i in ids)
    assert tokenizer.decode([BOS_ID, *ids, EOS_ID, PAD_ID]) == TEXT
    assert [tokenizer.token(i) for i in range(4)] == ["[PAD]", "[UNK]", "[BOS]", "[EOS]"]
    tokenizer.save(tmp_path)
    loaded = load_tokenizer(tmp_path)
    assert type(loaded) is type(tokenizer)
    assert (loaded.encode(TEXT), loaded.vocab_size) == (ids, tokenizer.vocab_size)


@pytest.mark.parametrize("method", ["bpe", "sentencepiece"])
def test_subword_vocabularies_are_bounded_by_the_request(
    method: TokenizerMethod, splits: CorpusSplits
) -> None:
    tokenizer = train_tokenizer(method, splits.train, vocab_size=150, min_frequency=1)
    assert 100 < tokenizer.vocab_size <= 150
    assert len(tokenizer.encode(TEXT)) < len(TEXT)


def test_char_ids_are_the_sorted_corpus_characters() -> None:
    tokenizer = CharTokenizer.train(["ba", "c"])
    assert tokenizer.vocab_size == 7
    assert tokenizer.encode("abcz") == [4, 5, 6, UNK_ID]
    assert tokenizer.decode([4, UNK_ID, 99]) == "a"


def test_unknown_bpe_ids_are_refused(splits: CorpusSplits) -> None:
    tokenizer = BpeTokenizer.train(splits.train, vocab_size=150, min_frequency=2)
    with pytest.raises(ValueError, match="token id 100000 is not in the vocabulary"):
        tokenizer.token(100_000)


def test_sentencepiece_answers_are_checked() -> None:
    assert _ids_of([1, 2]) == [1, 2]
    assert _text_of("a") == "a"
    with pytest.raises(TypeError, match="not a list of ids"):
        _ids_of(["a"])
    with pytest.raises(TypeError, match="decoded to bytes"):
        _text_of(b"a")


def test_a_directory_without_a_tokenizer_is_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(TokenizerLoadError, match="no tokenizer in"):
        load_tokenizer(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"kind": "char", "vocab": 3}', "not a tokenizer file"),
        ("[1, 2]", "not a tokenizer file"),
        ('{"version": "1.0"}', "not a tokenizers file"),
    ],
)
def test_broken_tokenizer_files_are_refused(
    tmp_path: pathlib.Path, content: str, message: str
) -> None:
    (tmp_path / "tokenizer.json").write_text(content)
    with pytest.raises(TokenizerLoadError, match=message):
        load_tokenizer(tmp_path)


def test_a_bpe_file_without_unk_at_id_1_is_refused(tmp_path: pathlib.Path) -> None:
    tokenizer = Tokenizer(models.BPE(vocab={"a": 0, "[UNK]": 5}, merges=[], unk_token="[UNK]"))
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    with pytest.raises(TokenizerLoadError, match=r"\[UNK\] is not id 1"):
        load_tokenizer(tmp_path)


def test_the_char_file_format(tmp_path: pathlib.Path) -> None:
    CharTokenizer(["x"]).save(tmp_path)
    saved = CharVocabulary.model_validate_json((tmp_path / "tokenizer.json").read_text())
    assert saved == CharVocabulary(
        kind="char",
        specials=["[PAD]", "[UNK]", "[BOS]", "[EOS]"],
        vocab={"[PAD]": 0, "[UNK]": 1, "[BOS]": 2, "[EOS]": 3, "x": 4},
    )


def test_stats_count_unknown_tokens_on_a_seeded_sample() -> None:
    tokenizer: TextTokenizer = CharTokenizer(["a", "b"])
    stats = tokenizer_stats(tokenizer, ["ab", "ac", "zz"], sample_lines=10, seed=1)
    assert (stats.token_count, stats.oov_rate) == (6, 3 / 6)
    assert stats.coverage == pytest.approx(0.5)
    assert stats.char_coverage == pytest.approx(2 / 4)
    sampled = tokenizer_stats(tokenizer, ["a"] * 5 + ["z"] * 5, sample_lines=4, seed=3)
    assert sampled.token_count == 4
    assert sampled == tokenizer_stats(tokenizer, ["a"] * 5 + ["z"] * 5, sample_lines=4, seed=3)


def test_stats_of_an_empty_sample() -> None:
    stats = tokenizer_stats(CharTokenizer([]), ["", ""], sample_lines=10, seed=0)
    assert (stats.coverage, stats.oov_rate, stats.token_count, stats.char_coverage) == (
        1.0,
        0.0,
        0,
        1.0,
    )


def test_tokenizer_ids_depend_on_the_request_and_the_corpus_only() -> None:
    first = tokenizer_id("bpe", 1000, 2, 42, "ab" * 32)
    assert first == tokenizer_id("bpe", 1000, 2, 42, "ab" * 32)
    assert first.startswith("tok-")
    assert len(first) == 20
    others = {
        tokenizer_id("char", 1000, 2, 42, "ab" * 32),
        tokenizer_id("bpe", 1001, 2, 42, "ab" * 32),
        tokenizer_id("bpe", 1000, 3, 42, "ab" * 32),
        tokenizer_id("bpe", 1000, 2, 43, "ab" * 32),
        tokenizer_id("bpe", 1000, 2, 42, "cd" * 32),
    }
    assert first not in others
    assert len(others) == 5


def test_sentencepiece_is_trained_in_process(splits: CorpusSplits) -> None:
    tokenizer = SentencePieceTokenizer.train(splits.train, vocab_size=120)
    assert tokenizer.vocab_size <= 120
