"""`TranscriptSettings`: the one settings model that the API and the worker both read.

Read once at startup with `platform_core.config.load_settings`; a missing or malformed
variable stops startup naming the variable. Because both processes load this model,
their defaults cannot differ (the original's API and worker disagreed on three).

Limits: for `TRANSCRIPT_MAX_VIDEO_SECONDS`, `TRANSCRIPT_MAX_FILE_MB` and
`TRANSCRIPT_CHUNK_THRESHOLD_MB`, **0 means unlimited** (the original's 0 rejected
everything). Every other numeric setting must be positive; in particular the
synchronous `POST /v1/stt` is always bounded by `TRANSCRIPT_SYNC_STT_MAX_SECONDS`.
"""

import base64
import binascii
import os
from collections.abc import Mapping
from typing import Annotated

from pydantic import AfterValidator, Field, SecretStr

from platform_core.config import CommaList, Port, RedisSettings, ServiceSettings, load_settings

DEFAULT_PORT = 8003
DEFAULT_PREFERRED_LANGS = ("en", "en-US", "en-GB")
NETSCAPE_COOKIE_HEADERS = ("# Netscape HTTP Cookie File", "# HTTP Cookie File")


def check_cookies_text(value: SecretStr) -> SecretStr:
    """`TRANSCRIPT_COOKIES_TEXT` must be base64 of a Netscape cookies.txt file."""
    try:
        decoded = base64.b64decode(value.get_secret_value(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("expected base64 of a UTF-8 Netscape cookies.txt") from None
    if not decoded.lstrip().startswith(NETSCAPE_COOKIE_HEADERS):
        raise ValueError(
            "expected a Netscape cookies.txt (first line '# Netscape HTTP Cookie File')"
        )
    return value


CookiesText = Annotated[SecretStr, AfterValidator(check_cookies_text)] | None


class TranscriptSettings(ServiceSettings, RedisSettings):
    """Everything transcript-api and its worker read from the environment."""

    port: Port = Field(default=DEFAULT_PORT, description="TCP port (0-65535)")

    openai_api_key: SecretStr = Field(
        description="the OpenAI API key (the legacy name OPEN_AI_API_KEY also works)"
    )
    open_ai_api_key: SecretStr | None = Field(
        default=None, description="legacy name of OPENAI_API_KEY"
    )
    openai_base_url: str | None = Field(
        default=None, description="OpenAI API base URL, e.g. http://127.0.0.1:9000/v1"
    )

    transcript_preferred_langs: CommaList = Field(
        default=DEFAULT_PREFERRED_LANGS,
        min_length=1,
        description="comma-separated caption languages, most preferred first",
    )
    transcript_cookies_text: CookiesText = Field(
        default=None, description="base64 of a Netscape cookies.txt for yt-dlp"
    )
    transcript_ytdlp_concurrency: int = Field(
        default=16, ge=1, description="yt-dlp calls running at once per process (threads)"
    )
    transcript_ytdlp_socket_timeout_seconds: float = Field(
        default=30.0, gt=0, description="yt-dlp's network timeout in seconds (> 0)"
    )

    transcript_max_video_seconds: int = Field(
        default=0, ge=0, description="longest video for STT in seconds; 0 = unlimited"
    )
    transcript_sync_stt_max_seconds: int = Field(
        default=300, ge=1, description="longest video POST /v1/stt accepts (> 0 seconds)"
    )
    transcript_max_file_mb: float = Field(
        default=25.0, ge=0, description="largest audio sent in one Whisper call; 0 = unlimited"
    )
    transcript_enable_chunking: bool = Field(
        default=True, description="split long audio at silences with ffmpeg (true/false)"
    )
    transcript_chunk_threshold_mb: float = Field(
        default=20.0, ge=0, description="split audio larger than this (MB); 0 = unlimited"
    )
    transcript_target_chunk_mb: float = Field(
        default=20.0, gt=0, description="target chunk size in MB (> 0)"
    )
    transcript_max_chunk_duration_seconds: float = Field(
        default=600.0, gt=0, description="longest chunk in seconds (> 0)"
    )
    transcript_max_concurrent_chunks: int = Field(
        default=3, ge=1, description="chunks transcribed at once (>= 1)"
    )
    transcript_silence_threshold_db: float = Field(
        default=-40.0, le=0, description="silencedetect noise level in dB (<= 0)"
    )
    transcript_silence_duration_seconds: float = Field(
        default=0.5, ge=0.1, description="shortest silence to split at, seconds (>= 0.1)"
    )
    transcript_stt_timeout_seconds: float = Field(
        default=900.0, gt=0, description="timeout of one Whisper request in seconds (> 0)"
    )
    transcript_stt_max_retries: int = Field(
        default=2, ge=0, description="retries of one Whisper request on 429/5xx/timeout (>= 0)"
    )
    transcript_ffmpeg_timeout_seconds: float = Field(
        default=300.0, gt=0, description="timeout of one ffmpeg/ffprobe run in seconds (> 0)"
    )
    transcript_job_timeout_seconds: float = Field(
        default=1800.0, gt=0, description="longest run of one STT job in seconds (> 0)"
    )
    transcript_result_ttl_seconds: float = Field(
        default=86_400.0, gt=0, description="how long a finished job's status is kept (> 0)"
    )
    transcript_worker_concurrency: int = Field(
        default=2, ge=1, description="STT jobs one worker process runs at once (>= 1)"
    )
    transcript_redis_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Redis socket timeout in seconds (> 0)"
    )
    transcript_work_dir: str | None = Field(
        default=None, description="directory for downloads (default: the system temp dir)"
    )

    @property
    def cookies(self) -> str | None:
        """The decoded Netscape cookies.txt text, if cookies are configured."""
        if self.transcript_cookies_text is None:
            return None
        raw = self.transcript_cookies_text.get_secret_value()
        return base64.b64decode(raw, validate=True).decode("utf-8")


LEGACY_API_KEY_VAR = "OPEN_AI_API_KEY"


def settings_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` with the original's `OPEN_AI_API_KEY` standing in for a missing or blank
    `OPENAI_API_KEY`."""
    values = dict(environ)
    legacy = values.get(LEGACY_API_KEY_VAR, "")
    if not values.get("OPENAI_API_KEY", "").strip() and legacy.strip():
        values["OPENAI_API_KEY"] = legacy
    return values


def load_transcript_settings(environ: Mapping[str, str] = os.environ) -> TranscriptSettings:
    """The settings from `environ` (see `settings_environ`); raises
    `platform_core.config.ConfigError` naming each missing or malformed variable."""
    return load_settings(TranscriptSettings, settings_environ(environ))
