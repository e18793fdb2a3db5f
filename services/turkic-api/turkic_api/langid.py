"""Language identification: which language (and script) a sentence is in, how sure.

Two models behind one Protocol (`LangIdModel`):

- `Py3LangId` (the default): py3langid's model, shipped inside its wheel (142
  languages, all eight of ours; no download, works offline). It has no script labels,
  so a guess's script comes from the text itself (`text_script`).
- `FastTextLangId`: a fastText LID model file (NLLB's lid218e, `__label__kaz_Cyrl`, or
  lid.176, `__label__kk`) when `TURKIC_LANGID_MODEL_PATH` names one. Labels with a
  script give the script; labels without one fall back to the text's script.

Both are synchronous and CPU-bound: the worker calls them in a thread, a batch of
sentences at a time. `LangFilter` keeps a sentence iff its guessed language is the
target, its script is the requested one (if any) and the confidence reaches the
threshold.
"""

import hashlib
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Protocol, runtime_checkable

from turkic_api.languages import SCRIPTS, Language, Script, text_script
from turkic_api.untyped import attribute

# ISO 639-3 (and the NLLB variants) -> the API's codes; other labels pass through.
ISO3: dict[str, str] = {
    "kaz": "kk",
    "kir": "ky",
    "tur": "tr",
    "uzb": "uz",
    "uzn": "uz",
    "uzs": "uz",
    "uig": "ug",
    "fin": "fi",
    "aze": "az",
    "azj": "az",
    "azb": "az",
    "eng": "en",
}


class LangIdError(Exception):
    """The language-ID model could not be loaded or gave an answer it never gives."""


@dataclass(frozen=True, slots=True)
class Guess:
    """A model's answer: the language code, the script and the confidence (0-1)."""

    language: str
    script: Script | None
    confidence: float


class LangIdModel(Protocol):
    """A loaded language-ID model."""

    @property
    def model_id(self) -> str:
        """What identifies the model's answers (part of the corpus cache key)."""
        ...

    def identify(self, text: str) -> Guess:
        """The most likely language of `text`."""
        ...


@runtime_checkable
class _Py3Factory(Protocol):
    def from_model_file(self, model_file: Path, *, norm_probs: bool) -> object: ...


@runtime_checkable
class _Py3Classifier(Protocol):
    def classify(self, text: str) -> tuple[object, object]: ...


@runtime_checkable
class _FastTextLoader(Protocol):
    def __call__(self, path: str) -> object: ...


@runtime_checkable
class _FastTextPredictor(Protocol):
    def predict(
        self, text: str, k: int, threshold: float, on_unicode_error: str
    ) -> list[tuple[float, str]]: ...


@runtime_checkable
class _FastTextModel(Protocol):
    # fasttext's `_FastText` wrapper; its own `predict` breaks on numpy 2, so the
    # pybind11 object under it (`f`) is called directly.
    @property
    def f(self) -> object: ...


class Py3LangId:
    """py3langid's shipped model with normalised probabilities."""

    def __init__(self, module: str = "py3langid.langid") -> None:
        factory = attribute(module, "LanguageIdentifier")
        model_dir = attribute(module, "MODEL_DIR")
        model_file = attribute(module, "MODEL_FILE")
        if not isinstance(factory, _Py3Factory) or not isinstance(model_dir, Path):
            raise LangIdError(f"{module} has no LanguageIdentifier or MODEL_DIR")
        identifier = factory.from_model_file(model_dir / str(model_file), norm_probs=True)
        if not isinstance(identifier, _Py3Classifier):
            raise LangIdError(f"{module}'s LanguageIdentifier has no classify method")
        self._identifier = identifier
        self._module = module
        self._model_id = f"py3langid-{version('py3langid')}"

    @property
    def model_id(self) -> str:
        """`py3langid-<version>`."""
        return self._model_id

    def identify(self, text: str) -> Guess:
        """py3langid's best language, the text's script."""
        language, confidence = self._identifier.classify(text)
        if not isinstance(language, str) or not isinstance(confidence, float):
            raise LangIdError(f"{self._module} answered {language!r}, {confidence!r}")
        return Guess(ISO3.get(language, language), text_script(text), confidence)


def parse_label(label: str) -> tuple[str, Script | None]:
    """`__label__kaz_Cyrl` -> ("kk", "Cyrl"); `__label__kk` -> ("kk", None)."""
    name = label.removeprefix("__label__")
    code, _, script = name.partition("_")
    language = ISO3.get(code, code)
    for known in SCRIPTS:
        if script == known:
            return language, known
    return language, None


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


class FastTextLangId:
    """A fastText LID model file (predict k=1 on the sentence with newlines as spaces)."""

    def __init__(self, path: Path, module: str = "fasttext") -> None:
        if not path.is_file():
            raise LangIdError(f"fastText model file {path} does not exist")
        load = attribute(module, "load_model")
        if not isinstance(load, _FastTextLoader):
            raise LangIdError(f"{module}.load_model is not callable")
        try:
            model = load(str(path))
        except ValueError as exc:
            raise LangIdError(f"{path} is not a fastText model: {exc}") from exc
        predictor = model.f if isinstance(model, _FastTextModel) else None
        if not isinstance(predictor, _FastTextPredictor):
            raise LangIdError("fasttext.load_model gave no model with a predict method")
        self._predictor = predictor
        self._model_id = f"fasttext-{file_sha256(path)[:16]}"

    @property
    def model_id(self) -> str:
        """`fasttext-<first 16 hex digits of the file's SHA-256>`."""
        return self._model_id

    def identify(self, text: str) -> Guess:
        """The top label; its script, else the text's; no label: confidence 0."""
        line = " ".join(text.split())
        answers = self._predictor.predict(line, 1, 0.0, "replace")
        if not answers:
            return Guess("", text_script(text), 0.0)
        confidence, label = answers[0]
        language, script = parse_label(label)
        return Guess(language, script or text_script(text), min(1.0, float(confidence)))


def load_model(fasttext_path: Path | None) -> LangIdModel:
    """The configured model: fastText when a path is set, else py3langid's."""
    if fasttext_path is not None:
        return FastTextLangId(fasttext_path)
    return Py3LangId()


@dataclass(frozen=True, slots=True)
class LangFilter:
    """Keeps the sentences of `language` (in `script`, if set) at `threshold` or above."""

    model: LangIdModel
    language: Language
    script: Script | None
    threshold: float

    @property
    def filtering(self) -> bool:
        """Whether the filter looks at sentences at all (a threshold or a script is set)."""
        return self.threshold > 0 or self.script is not None

    def keep(self, sentence: str) -> bool:
        """Whether `sentence` passes (every sentence does when not `filtering`)."""
        if not self.filtering:
            return True
        guess = self.model.identify(sentence)
        if guess.language != self.language or guess.confidence < self.threshold:
            return False
        return self.script is None or guess.script == self.script
