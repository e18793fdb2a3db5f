"""The languages, scripts and sources the API accepts, and what each language supports.

`SCRIPTS_OF` is which scripts a language's text is written in that language ID can
recognise; a request for another script could only ever produce an empty corpus, so
the API refuses it. `IPA_LANGUAGES` is the languages with IPA rules (`en` has none).
"""

import unicodedata
from typing import Literal

Language = Literal["kk", "ky", "uz", "tr", "ug", "fi", "az", "en"]
Script = Literal["Latn", "Cyrl", "Arab"]
Source = Literal["oscar", "wikipedia", "culturax"]

LANGUAGES: tuple[Language, ...] = ("kk", "ky", "uz", "tr", "ug", "fi", "az", "en")
SCRIPTS: tuple[Script, ...] = ("Latn", "Cyrl", "Arab")
SOURCES: tuple[Source, ...] = ("oscar", "wikipedia", "culturax")

SCRIPTS_OF: dict[Language, tuple[Script, ...]] = {
    "kk": ("Cyrl", "Latn"),
    "ky": ("Cyrl",),
    "uz": ("Latn", "Cyrl"),
    "tr": ("Latn",),
    "ug": ("Arab",),
    "fi": ("Latn",),
    "az": ("Latn",),
    "en": ("Latn",),
}

IPA_LANGUAGES: frozenset[Language] = frozenset(("kk", "ky", "uz", "tr", "ug", "fi", "az"))

_SCRIPT_PREFIX: tuple[tuple[str, Script], ...] = (
    ("LATIN", "Latn"),
    ("CYRILLIC", "Cyrl"),
    ("ARABIC", "Arab"),
)


def letter_script(char: str) -> Script | None:
    """The script of one letter (None for other scripts, digits, punctuation)."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    for prefix, script in _SCRIPT_PREFIX:
        if name.startswith(prefix):
            return script
    return None


def text_script(text: str) -> Script | None:
    """The script most of the text's letters are in (None when no letter is in one of ours).

    Ties go to the script listed first in `SCRIPTS`.
    """
    counts: dict[Script, int] = dict.fromkeys(SCRIPTS, 0)
    for char in text:
        script = letter_script(char)
        if script is not None:
            counts[script] += 1
    best = max(SCRIPTS, key=counts.__getitem__)
    return best if counts[best] else None
