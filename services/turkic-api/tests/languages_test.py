"""Scripts read from the text; the tables agree with each other."""

from turkic_api.ipa import RULES
from turkic_api.languages import (
    IPA_LANGUAGES,
    LANGUAGES,
    SCRIPTS_OF,
    letter_script,
    text_script,
)


def test_letters_have_their_script() -> None:
    assert letter_script("a") == "Latn"
    assert letter_script("қ") == "Cyrl"
    assert letter_script("ئ") == "Arab"
    assert letter_script("1") is None
    assert letter_script("α") is None


def test_text_script_is_the_majority_of_letters() -> None:
    assert text_script("Мен кітап, ok") == "Cyrl"
    assert text_script("Kitap okuyorum 123") == "Latn"
    assert text_script("مەن كىتاب") == "Arab"
    assert text_script("123 !?") is None
    assert text_script("ab ѣѣ") == "Latn"  # tie: the first of Latn, Cyrl, Arab


def test_tables_cover_the_languages() -> None:
    assert set(SCRIPTS_OF) == set(LANGUAGES)
    assert set(RULES) == IPA_LANGUAGES
    assert set(LANGUAGES) - IPA_LANGUAGES == {"en"}
