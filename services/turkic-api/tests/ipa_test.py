"""IPA through turkic-translit, pinned per language.

Sources of the vectors: tr and kk are the original service's documented examples
(reference §1.4); the others are the turkic-translit 0.5.9 rules' output for the
sentences in turkic_api_testing.sentences / a reading sentence, checked by hand
against the rule files (whose sources are JIPA illustrations, see the package).
"""

import pytest

from turkic_api.ipa import IpaUnsupportedError, check_ipa, transliterate, transliterate_lines
from turkic_api.languages import Language


@pytest.mark.parametrize(
    ("language", "text", "ipa"),
    [
        ("tr", "Kitap okuyorum", "kitap okujoɾum"),
        ("kk", "Мен кітап оқып жатырмын", "men kɪtɑp oqəp ʒɑtərmən"),
        ("uz", "Men kitob o'qiyapman", "men kitɔb oqijapman"),
        ("az", "Mən kitab oxuyuram", "mæn kitɑb oxujuɾɑm"),
        ("fi", "Luen kirjaa", "luen kirjɑː"),
        ("ug", "مەن كىتاب ئوقۇۋاتىمەن", "mæn kitɑb oquwɑtimæn"),
        ("ky", "Мен китеп окуп жатам", "men kitep okup d͡ʒɑtɑm"),
    ],
)
def test_published_and_pinned_vectors(language: Language, text: str, ipa: str) -> None:
    assert transliterate(text, language) == ipa


def test_uzbek_cyrillic_goes_through_the_cyrillic_rules_too() -> None:
    latin = transliterate("Men kitob o'qiyapman", "uz")
    assert transliterate("Мен китоб ўқияпман", "uz") == latin == "men kitɔb oqijapman"
    assert transliterate_lines(["Men kitob o'qiyapman", "Men"], "uz") == [latin, "men"]


def test_english_has_no_ipa() -> None:
    with pytest.raises(IpaUnsupportedError, match="not supported for 'en'"):
        check_ipa("en")
    with pytest.raises(IpaUnsupportedError):
        transliterate("hello", "en")
