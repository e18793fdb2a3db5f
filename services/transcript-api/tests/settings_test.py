"""One settings model for API and worker: defaults, limits, the legacy key, cookies."""

import base64

import pytest
from pydantic import SecretStr

from platform_core.config import ConfigError
from transcript_api.settings import TranscriptSettings, load_transcript_settings

BASE = {"REDIS_URL": "redis://127.0.0.1:6379/0", "OPENAI_API_KEY": "sk-x"}
COOKIES = "# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t0\tSID\tabc\n"


def test_defaults() -> None:
    settings = load_transcript_settings(BASE)
    assert settings.port == 8003
    assert settings.openai_api_key.get_secret_value() == "sk-x"
    assert settings.transcript_preferred_langs == ("en", "en-US", "en-GB")
    assert settings.transcript_max_video_seconds == 0
    assert settings.transcript_max_file_mb == 25.0
    assert settings.transcript_enable_chunking is True
    assert settings.transcript_chunk_threshold_mb == 20.0
    assert settings.transcript_max_concurrent_chunks == 3
    assert settings.transcript_sync_stt_max_seconds == 300
    assert settings.cookies is None


def test_values_from_the_environment() -> None:
    settings = load_transcript_settings(
        {
            **BASE,
            "TRANSCRIPT_PREFERRED_LANGS": "de, fr,,en",
            "TRANSCRIPT_ENABLE_CHUNKING": "off",
            "TRANSCRIPT_MAX_VIDEO_SECONDS": "3600",
            "TRANSCRIPT_COOKIES_TEXT": base64.b64encode(COOKIES.encode()).decode(),
        }
    )
    assert settings.transcript_preferred_langs == ("de", "fr", "en")
    assert settings.transcript_enable_chunking is False
    assert settings.transcript_max_video_seconds == 3600
    assert settings.cookies == COOKIES


def test_the_legacy_key_name_stands_in() -> None:
    settings = load_transcript_settings(
        {"REDIS_URL": BASE["REDIS_URL"], "OPENAI_API_KEY": " ", "OPEN_AI_API_KEY": "sk-old"}
    )
    assert settings.openai_api_key.get_secret_value() == "sk-old"


def test_the_new_key_name_wins() -> None:
    settings = load_transcript_settings({**BASE, "OPEN_AI_API_KEY": "sk-old"})
    assert settings.openai_api_key.get_secret_value() == "sk-x"


def test_a_missing_key_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY is required but not set"):
        load_transcript_settings({"REDIS_URL": BASE["REDIS_URL"]})


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("TRANSCRIPT_MAX_VIDEO_SECONDS", "-1", "TRANSCRIPT_MAX_VIDEO_SECONDS is invalid"),
        ("TRANSCRIPT_SYNC_STT_MAX_SECONDS", "0", "TRANSCRIPT_SYNC_STT_MAX_SECONDS is invalid"),
        ("TRANSCRIPT_MAX_CONCURRENT_CHUNKS", "0", "TRANSCRIPT_MAX_CONCURRENT_CHUNKS is invalid"),
        ("TRANSCRIPT_TARGET_CHUNK_MB", "0", "TRANSCRIPT_TARGET_CHUNK_MB is invalid"),
        ("TRANSCRIPT_ENABLE_CHUNKING", "maybe", "TRANSCRIPT_ENABLE_CHUNKING is invalid"),
        ("TRANSCRIPT_PREFERRED_LANGS", ",,", "TRANSCRIPT_PREFERRED_LANGS is invalid"),
        ("TRANSCRIPT_COOKIES_TEXT", "not base64!", "expected base64 of a UTF-8 Netscape"),
        (
            "TRANSCRIPT_COOKIES_TEXT",
            base64.b64encode(b"just text").decode(),
            "expected a Netscape cookies.txt",
        ),
        ("TRANSCRIPT_COOKIES_TEXT", base64.b64encode(b"\xff\xfe").decode(), "UTF-8"),
    ],
)
def test_malformed_values_name_the_variable(name: str, value: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_transcript_settings({**BASE, name: value})


def test_constructed_directly() -> None:
    settings = TranscriptSettings(redis_url="redis://h:1/0", openai_api_key=SecretStr("k"))
    assert settings.cookies is None
