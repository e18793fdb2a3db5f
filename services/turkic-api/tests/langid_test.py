"""Language ID on real sentences of each language (turkic_api_testing.sentences)."""

from pathlib import Path

import pytest

from turkic_api.langid import (
    FastTextLangId,
    Guess,
    LangFilter,
    LangIdError,
    Py3LangId,
    load_model,
    parse_label,
)
from turkic_api.languages import LANGUAGES, Language, text_script
from turkic_api_testing.fasttext_model import train_model
from turkic_api_testing.sentences import SENTENCES


@pytest.fixture(scope="module")
def py3() -> Py3LangId:
    return Py3LangId()


@pytest.mark.parametrize("language", LANGUAGES)
def test_py3langid_knows_every_language(py3: Py3LangId, language: Language) -> None:
    for sentence in SENTENCES[language]:
        guess = py3.identify(sentence)
        assert guess.language == language, sentence
        assert guess.confidence >= 0.95
        assert guess.script == text_script(sentence)


def test_py3langid_model_id_names_the_version(py3: Py3LangId) -> None:
    assert py3.model_id.startswith("py3langid-0.")
    assert isinstance(load_model(None), Py3LangId)


def test_labels_parse_to_our_codes() -> None:
    assert parse_label("__label__kaz_Cyrl") == ("kk", "Cyrl")
    assert parse_label("__label__uzn_Latn") == ("uz", "Latn")
    assert parse_label("__label__kk") == ("kk", None)
    assert parse_label("__label__rus_Cyrl") == ("rus", "Cyrl")
    assert parse_label("__label__xyz_Grek") == ("xyz", None)


@pytest.fixture(scope="module")
def fasttext_models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("fasttext")
    return train_model(folder), train_model(folder, with_script=False)


def test_fasttext_model_with_script_labels(fasttext_models: tuple[Path, Path]) -> None:
    model = load_model(fasttext_models[0])
    assert isinstance(model, FastTextLangId)
    assert model.model_id.startswith("fasttext-")
    assert len(model.model_id) == len("fasttext-") + 16
    right = 0
    for language, sentences in SENTENCES.items():
        for sentence in sentences:
            guess = model.identify(sentence.lower())
            right += guess.language == language
            assert 0.0 <= guess.confidence <= 1.0
    assert right >= 28  # of 32: a toy model, trained on these very sentences
    assert model.identify("мен кітап\nоқып").script == "Cyrl"


def test_fasttext_model_without_script_reads_it_from_the_text(
    fasttext_models: tuple[Path, Path],
) -> None:
    model = FastTextLangId(fasttext_models[1])
    guess = model.identify(SENTENCES["kk"][0].lower())
    assert (guess.language, guess.script) == ("kk", "Cyrl")
    assert model.identify("").confidence >= 0.0


def test_fasttext_bad_files_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(LangIdError, match="does not exist"):
        FastTextLangId(tmp_path / "missing.bin")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a model")
    with pytest.raises(LangIdError, match="is not a fastText model"):
        FastTextLangId(junk)


class Fixed:
    """A model that always gives the same guess."""

    def __init__(self, guess: Guess) -> None:
        self.guess = guess
        self.calls = 0

    @property
    def model_id(self) -> str:
        return "fixed"

    def identify(self, text: str) -> Guess:
        self.calls += 1
        return self.guess


def test_filter_checks_language_threshold_and_script() -> None:
    model = Fixed(Guess("kk", "Cyrl", 0.9))
    assert LangFilter(model, "kk", None, 0.9).keep("x")
    assert not LangFilter(model, "kk", None, 0.95).keep("x")
    assert not LangFilter(model, "ky", None, 0.5).keep("x")
    assert LangFilter(model, "kk", "Cyrl", 0.5).keep("x")
    assert not LangFilter(model, "kk", "Latn", 0.5).keep("x")
    assert LangFilter(model, "kk", "Cyrl", 0.0).filtering


def test_no_threshold_and_no_script_keeps_everything_unasked() -> None:
    model = Fixed(Guess("en", "Latn", 1.0))
    unfiltered = LangFilter(model, "kk", None, 0.0)
    assert not unfiltered.filtering
    assert unfiltered.keep("anything")
    assert model.calls == 0


FAKES = "turkic_api_testing.fake_libs"


def test_py3langid_that_breaks_the_adapter_fails_clearly() -> None:
    with pytest.raises(LangIdError, match="no LanguageIdentifier or MODEL_DIR"):
        Py3LangId(f"{FAKES}.py3_no_model_dir")
    with pytest.raises(LangIdError, match="has no classify method"):
        Py3LangId(f"{FAKES}.py3_no_classify")
    with pytest.raises(LangIdError, match=r"answered 1, 'sure'"):
        Py3LangId(f"{FAKES}.py3_bad_answer").identify("x")


def test_fasttext_that_breaks_the_adapter_fails_clearly(
    fasttext_models: tuple[Path, Path],
) -> None:
    with pytest.raises(LangIdError, match="is not callable"):
        FastTextLangId(fasttext_models[0], f"{FAKES}.ft_not_callable")
    with pytest.raises(LangIdError, match="no model with a predict method"):
        FastTextLangId(fasttext_models[0], f"{FAKES}.ft_no_predict")
