"""Tokenizers: BPE (Hugging Face `tokenizers`), SentencePiece (its Python module) and char.

Every kind has the same four special tokens with the same ids: `[PAD]` 0, `[UNK]` 1,
`[BOS]` 2, `[EOS]` 3, so models take their BOS/EOS/PAD ids from the tokenizer and they
always agree. A trained tokenizer is a directory: `tokenizer.json` (BPE, or the char
vocabulary with `"kind": "char"`) or `tokenizer.model` (SentencePiece), plus
`manifest.json` (method, config, stats).

Changes from the original: BPE uses the Metaspace pre-tokenizer and decoder, so decoding
gives back the spaces (the original's Whitespace pre-tokenizer joined tokens with spaces);
SentencePiece trains in-process (no CLI binaries needed); tokenizer ids are derived from
the request and the corpus's SHA-256 (`tokenizer_id`), not Python's salted `hash`.
"""

import hashlib
import io
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

import sentencepiece
from pydantic import BaseModel, ConfigDict, ValidationError
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

TokenizerMethod = Literal["bpe", "sentencepiece", "char"]
PAD, UNK, BOS, EOS = "[PAD]", "[UNK]", "[BOS]", "[EOS]"
SPECIALS = (PAD, UNK, BOS, EOS)
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
TOKENIZER_JSON = "tokenizer.json"
SPM_MODEL = "tokenizer.model"
MANIFEST = "manifest.json"


class TokenizerLoadError(Exception):
    """A tokenizer directory is missing or holds something that is not a tokenizer."""


class TextTokenizer(Protocol):
    """What training and inference use of a tokenizer."""

    @property
    def method(self) -> TokenizerMethod:
        """Which kind of tokenizer this is."""
        ...

    @property
    def vocab_size(self) -> int:
        """The number of ids (specials included)."""
        ...

    def encode(self, text: str) -> list[int]:
        """The ids of `text` (no BOS/EOS added)."""
        ...

    def decode(self, ids: Sequence[int]) -> str:
        """The text of `ids` (special tokens dropped)."""
        ...

    def token(self, token_id: int) -> str:
        """The piece of one id."""
        ...

    def save(self, directory: Path) -> None:
        """Write the tokenizer's files into `directory`."""
        ...


class CharVocabulary(BaseModel):
    """`tokenizer.json` of a char tokenizer."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    kind: Literal["char"]
    specials: list[str]
    vocab: dict[str, int]


class CharTokenizer:
    """One id per character: the specials, then the corpus's characters in sorted order;
    unseen characters encode to `[UNK]`."""

    method: TokenizerMethod = "char"

    def __init__(self, chars: Sequence[str]) -> None:
        self._pieces = [*SPECIALS, *chars]
        self._ids = {piece: index for index, piece in enumerate(self._pieces)}

    @classmethod
    def train(cls, lines: Sequence[str]) -> "CharTokenizer":
        """The char tokenizer of `lines`."""
        return cls(sorted({char for line in lines for char in line}))

    @property
    def vocab_size(self) -> int:
        """The number of ids."""
        return len(self._pieces)

    def encode(self, text: str) -> list[int]:
        """One id per character."""
        return [self._ids.get(char, UNK_ID) for char in text]

    def decode(self, ids: Sequence[int]) -> str:
        """The characters of `ids`, specials and unknown ids dropped."""
        return "".join(self._pieces[i] for i in ids if len(SPECIALS) <= i < len(self._pieces))

    def token(self, token_id: int) -> str:
        """The character (or special) of `token_id`."""
        return self._pieces[token_id]

    def save(self, directory: Path) -> None:
        """`tokenizer.json` with `"kind": "char"`."""
        vocab = CharVocabulary(kind="char", specials=list(SPECIALS), vocab=self._ids)
        (directory / TOKENIZER_JSON).write_text(vocab.model_dump_json())


class BpeTokenizer:
    """Byte-pair encoding with Hugging Face `tokenizers` (Metaspace pre-tokenizer)."""

    method: TokenizerMethod = "bpe"

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._tokenizer = tokenizer

    @classmethod
    def train(cls, lines: Sequence[str], *, vocab_size: int, min_frequency: int) -> "BpeTokenizer":
        """A BPE tokenizer trained on `lines`."""
        tokenizer = Tokenizer(models.BPE(unk_token=UNK))
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
        tokenizer.decoder = decoders.Metaspace()
        specials: list[str] = list(SPECIALS)
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size,
            min_frequency=min_frequency,
            special_tokens=specials,
            show_progress=False,
        )
        tokenizer.train_from_iterator(lines, trainer=trainer)
        return cls(tokenizer)

    @property
    def vocab_size(self) -> int:
        """The number of ids."""
        return self._tokenizer.get_vocab_size()

    def encode(self, text: str) -> list[int]:
        """The BPE ids of `text`."""
        return list(self._tokenizer.encode(text).ids)

    def decode(self, ids: Sequence[int]) -> str:
        """The text of `ids`, specials dropped."""
        return self._tokenizer.decode(list(ids), skip_special_tokens=True)

    def token(self, token_id: int) -> str:
        """The piece of `token_id`."""
        piece = self._tokenizer.id_to_token(token_id)
        if piece is None:
            raise ValueError(f"token id {token_id} is not in the vocabulary")
        return piece

    def save(self, directory: Path) -> None:
        """`tokenizer.json` in Hugging Face's format."""
        self._tokenizer.save(str(directory / TOKENIZER_JSON))


def _ids_of(value: object) -> list[int]:
    """SentencePiece's untyped `encode` answer, checked."""
    if not isinstance(value, list) or not all(isinstance(i, int) for i in value):
        raise TypeError(f"sentencepiece returned {type(value).__name__}, not a list of ids")
    return [i for i in value if isinstance(i, int)]


def _text_of(value: object) -> str:
    """SentencePiece's untyped `decode` answer, checked."""
    if not isinstance(value, str):
        raise TypeError(f"sentencepiece decoded to {type(value).__name__}, not str")
    return value


class SentencePieceTokenizer:
    """SentencePiece BPE through the `sentencepiece` Python module (no CLI binaries)."""

    method: TokenizerMethod = "sentencepiece"

    def __init__(self, model_proto: bytes) -> None:
        self._proto = model_proto
        self._processor = sentencepiece.SentencePieceProcessor(model_proto=model_proto)

    @classmethod
    def train(cls, lines: Sequence[str], *, vocab_size: int) -> "SentencePieceTokenizer":
        """A SentencePiece BPE model trained on `lines` (a smaller vocabulary when the corpus
        cannot fill `vocab_size`)."""
        model = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(lines),
            model_writer=model,
            model_type="bpe",
            vocab_size=vocab_size,
            hard_vocab_limit=False,
            character_coverage=1.0,
            pad_id=PAD_ID,
            unk_id=UNK_ID,
            bos_id=BOS_ID,
            eos_id=EOS_ID,
            pad_piece=PAD,
            unk_piece=UNK,
            bos_piece=BOS,
            eos_piece=EOS,
            num_threads=1,
            minloglevel=2,
        )
        return cls(model.getvalue())

    @property
    def vocab_size(self) -> int:
        """The number of ids."""
        return self._processor.GetPieceSize()

    def encode(self, text: str) -> list[int]:
        """The ids of `text`."""
        raw: object = self._processor.encode(text)
        return _ids_of(raw)

    def decode(self, ids: Sequence[int]) -> str:
        """The text of `ids`."""
        kept = [i for i in ids if i not in (PAD_ID, BOS_ID, EOS_ID)]
        raw: object = self._processor.decode(kept)
        return _text_of(raw)

    def token(self, token_id: int) -> str:
        """The piece of `token_id`."""
        return self._processor.id_to_piece(token_id)

    def save(self, directory: Path) -> None:
        """`tokenizer.model` (SentencePiece's serialized model)."""
        (directory / SPM_MODEL).write_bytes(self._proto)


def train_tokenizer(
    method: TokenizerMethod,
    lines: Sequence[str],
    *,
    vocab_size: int,
    min_frequency: int,
) -> TextTokenizer:
    """A tokenizer of `method` trained on `lines` (char ignores the sizes; SentencePiece
    ignores `min_frequency`)."""
    if method == "char":
        return CharTokenizer.train(lines)
    if method == "bpe":
        return BpeTokenizer.train(lines, vocab_size=vocab_size, min_frequency=min_frequency)
    return SentencePieceTokenizer.train(lines, vocab_size=vocab_size)


class _Kind(BaseModel):
    """The `kind` key of a `tokenizer.json` (only the char tokenizer's has one)."""

    model_config = ConfigDict(extra="ignore")

    kind: str | None = None


def load_tokenizer(directory: Path) -> TextTokenizer:
    """The tokenizer saved in `directory`; `TokenizerLoadError` when there is none."""
    spm = directory / SPM_MODEL
    if spm.is_file():
        return SentencePieceTokenizer(spm.read_bytes())
    path = directory / TOKENIZER_JSON
    if not path.is_file():
        raise TokenizerLoadError(f"no tokenizer in {directory}")
    text = path.read_text()
    try:
        kind = _Kind.model_validate_json(text).kind
        if kind == "char":
            vocab = CharVocabulary.model_validate_json(text)
            return CharTokenizer(sorted(vocab.vocab, key=vocab.vocab.__getitem__)[len(SPECIALS) :])
    except ValidationError as exc:
        raise TokenizerLoadError(f"{path}: not a tokenizer file: {exc}") from exc
    try:
        tokenizer = Tokenizer.from_str(text)
    except Exception as exc:
        raise TokenizerLoadError(f"{path}: not a tokenizers file: {exc}") from exc
    if tokenizer.token_to_id(UNK) != UNK_ID:
        raise TokenizerLoadError(f"{path}: [UNK] is not id {UNK_ID}")
    return BpeTokenizer(tokenizer)


class TokenizerStats(BaseModel):
    """How well a tokenizer covers a sample of its corpus."""

    model_config = ConfigDict(frozen=True)

    coverage: float
    oov_rate: float
    token_count: int
    char_coverage: float


def tokenizer_stats(
    tokenizer: TextTokenizer, lines: Sequence[str], *, sample_lines: int, seed: int
) -> TokenizerStats:
    """Coverage (share of non-`[UNK]` tokens), OOV rate, token count and character coverage
    (share of the sample's distinct characters that encode without `[UNK]`) over a seeded
    sample of at most `sample_lines` lines."""
    rng = random.Random(seed)
    sample = list(lines) if len(lines) <= sample_lines else rng.sample(list(lines), sample_lines)
    ids = [i for line in sample for i in tokenizer.encode(line)]
    unknown = sum(1 for i in ids if i == UNK_ID)
    chars = sorted({char for line in sample for char in line if not char.isspace()})
    covered = sum(1 for char in chars if UNK_ID not in tokenizer.encode(char))
    total = len(ids)
    return TokenizerStats(
        coverage=1.0 - unknown / total if total else 1.0,
        oov_rate=unknown / total if total else 0.0,
        token_count=total,
        char_coverage=covered / len(chars) if chars else 1.0,
    )


def tokenizer_id(
    method: TokenizerMethod, vocab_size: int, min_frequency: int, seed: int, corpus_sha256: str
) -> str:
    """`tok-` and 16 hex digits of the SHA-256 of the request and the corpus's SHA-256:
    the same everywhere for the same request on the same corpus."""
    parts: list[str | int] = [method, vocab_size, min_frequency, seed, corpus_sha256]
    key = json.dumps(parts)
    return "tok-" + hashlib.sha256(key.encode()).hexdigest()[:16]
