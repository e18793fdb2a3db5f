"""`POST /api/v1/jobs`'s body, checked with the original's messages (400 `INVALID_INPUT`).

Checked in the original's order: a body that is not a JSON object, `user_id` (a JSON
integer; unlike the original, a boolean is not one), `source`, `language`, `script`
(optional, exact case), `max_sentences` (1-100000, default 1000), `transliterate`
(boolean, default true), `confidence_threshold` (0.0-1.0, default 0.95). Unknown keys
are ignored. Then what no job could fulfil is refused here instead of failing later:
IPA for a language without IPA rules (`en`), and a script that language ID cannot
find the language in (e.g. Turkish in Cyrillic: the corpus would always be empty).
"""

from typing import Self

from pydantic import BaseModel, ConfigDict, JsonValue, model_validator

from platform_core.errors import AppError, ErrorCode
from turkic_api.jobs import CorpusPayload
from turkic_api.languages import (
    IPA_LANGUAGES,
    LANGUAGES,
    SCRIPTS,
    SCRIPTS_OF,
    SOURCES,
    Language,
    Script,
    Source,
)

MAX_SENTENCES = 100_000
MSG_NOT_AN_OBJECT = "Invalid request body"


def _invalid(message: str) -> AppError:
    return AppError(ErrorCode.INVALID_INPUT, message)


def _one_of(data: dict[str, JsonValue], field: str, allowed: tuple[str, ...]) -> str:
    value = data.get(field)
    if value is None:
        raise _invalid(f"{field} is required")
    if not isinstance(value, str):
        raise _invalid(f"{field} must be a string")
    if value not in allowed:
        raise _invalid(f"{field} must be one of: {', '.join(sorted(allowed))}")
    return value


def _integer(data: dict[str, JsonValue], field: str) -> int:
    value = data.get(field)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid(f"{field} must be an integer")
    return value


def _check_range(field: str, value: float, low: float, high: float) -> None:
    if value < low:
        raise _invalid(f"{field} must be >= {low}")
    if value > high:
        raise _invalid(f"{field} must be <= {high}")


class JobRequest(BaseModel):
    """A corpus request; `payload()` is what the job runs."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    source: Source
    language: Language
    script: Script | None = None
    max_sentences: int = 1000
    transliterate: bool = True
    confidence_threshold: float = 0.95

    @model_validator(mode="before")
    @classmethod
    def _original_messages(cls, data: JsonValue) -> JsonValue:
        if not isinstance(data, dict):
            raise _invalid(MSG_NOT_AN_OBJECT)
        checked: dict[str, JsonValue] = {"user_id": _integer(data, "user_id")}
        checked["source"] = _one_of(data, "source", SOURCES)
        checked["language"] = _one_of(data, "language", LANGUAGES)
        if data.get("script") is not None:
            checked["script"] = _one_of(data, "script", SCRIPTS)
        if data.get("max_sentences") is not None:
            count = _integer(data, "max_sentences")
            _check_range("max_sentences", count, 1, MAX_SENTENCES)
            checked["max_sentences"] = count
        if data.get("transliterate") is not None:
            flag = data["transliterate"]
            if not isinstance(flag, bool):
                raise _invalid("transliterate must be a boolean")
            checked["transliterate"] = flag
        if data.get("confidence_threshold") is not None:
            threshold = data["confidence_threshold"]
            if not isinstance(threshold, int | float) or isinstance(threshold, bool):
                raise _invalid("confidence_threshold must be a number")
            _check_range("confidence_threshold", threshold, 0.0, 1.0)
            checked["confidence_threshold"] = float(threshold)
        return checked

    @model_validator(mode="after")
    def _fulfillable(self) -> Self:
        if self.transliterate and self.language not in IPA_LANGUAGES:
            raise _invalid(
                f"IPA transliteration is not supported for '{self.language}' "
                "(send transliterate: false)"
            )
        scripts = SCRIPTS_OF[self.language]
        if self.script is not None and self.script not in scripts:
            raise _invalid(
                f"script {self.script} is not available for language {self.language} "
                f"(available: {', '.join(scripts)})"
            )
        return self

    def payload(self) -> CorpusPayload:
        """The job's payload."""
        return CorpusPayload(
            source=self.source,
            language=self.language,
            script=self.script,
            max_sentences=self.max_sentences,
            transliterate=self.transliterate,
            confidence_threshold=self.confidence_threshold,
        )
