"""IPA transliteration through turkic-translit's rule files (`turkic_translit.core`, ICU).

turkic-translit carries deterministic IPA rules for kk, ky, uz (Latin, and `uzc` for
Cyrillic), tr, ug, fi and az: every language we accept except `en`, which the API
refuses for IPA. Uzbek text goes through the Latin rules and then the Cyrillic ones,
so a corpus that mixes the two alphabets comes out in IPA throughout (as the original
did).
"""

from turkic_translit.core import to_ipa

from turkic_api.languages import IPA_LANGUAGES, Language

# The rule files each language's text passes through, in order.
RULES: dict[Language, tuple[str, ...]] = {
    "kk": ("kk",),
    "ky": ("ky",),
    "uz": ("uz", "uzc"),
    "tr": ("tr",),
    "ug": ("ug",),
    "fi": ("fi",),
    "az": ("az",),
}


class IpaUnsupportedError(ValueError):
    """The language has no IPA rules."""


def check_ipa(language: Language) -> None:
    """Raise `IpaUnsupportedError` unless `language` has IPA rules."""
    if language not in IPA_LANGUAGES:
        raise IpaUnsupportedError(f"IPA transliteration is not supported for '{language}'")


def transliterate(text: str, language: Language) -> str:
    """`text` in IPA (NFC); synchronous and CPU-bound (call it in a thread for many lines)."""
    check_ipa(language)
    for rules in RULES[language]:
        text = to_ipa(text, rules)
    return text


def transliterate_lines(lines: list[str], language: Language) -> list[str]:
    """Each line in IPA (one thread hop for a batch)."""
    return [transliterate(line, language) for line in lines]
