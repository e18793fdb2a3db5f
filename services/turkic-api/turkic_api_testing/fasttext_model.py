"""A tiny fastText LID model trained at test time on project-written sentences."""

from pathlib import Path
from typing import Protocol, runtime_checkable

from turkic_api.languages import Language
from turkic_api.untyped import attribute
from turkic_api_testing.sentences import SENTENCES

LABELS: dict[Language, str] = {
    "kk": "kaz_Cyrl",
    "ky": "kir_Cyrl",
    "uz": "uzn_Latn",
    "tr": "tur_Latn",
    "ug": "uig_Arab",
    "fi": "fin_Latn",
    "az": "azj_Latn",
    "en": "eng_Latn",
}


@runtime_checkable
class _Trainer(Protocol):
    def __call__(
        self,
        *,
        input: str,
        epoch: int,
        lr: float,
        minn: int,
        maxn: int,
        dim: int,
        verbose: int,
        seed: int,
        thread: int,
    ) -> object: ...


@runtime_checkable
class _Trained(Protocol):
    def save_model(self, path: str) -> None: ...


def train_model(folder: Path, *, with_script: bool = True, module: str = "fasttext") -> Path:
    """Train on `SENTENCES` (labels like lid218e's, or lid.176's without script); the
    model file's path."""
    lines = []
    for language, sentences in SENTENCES.items():
        label = LABELS[language] if with_script else language
        lines += [f"__label__{label} {sentence.lower()}" for sentence in sentences] * 5
    train = folder / "train.txt"
    train.write_text("\n".join(lines) + "\n", encoding="utf-8")
    train_supervised = attribute(module, "train_supervised")
    if not isinstance(train_supervised, _Trainer):
        raise TypeError(f"{module} has no train_supervised")
    model = train_supervised(
        input=str(train), epoch=25, lr=1.0, minn=2, maxn=4, dim=16, verbose=0, seed=1, thread=1
    )
    if not isinstance(model, _Trained):
        raise TypeError("fasttext.train_supervised gave no model")
    path = folder / ("lid-script.bin" if with_script else "lid-plain.bin")
    model.save_model(str(path))
    return path
