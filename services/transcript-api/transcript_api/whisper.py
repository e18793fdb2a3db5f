"""Speech-to-text with OpenAI Whisper (`whisper-1`, `verbose_json`) over the async SDK.

`SpeechToText` is the seam the pipeline uses; `Whisper` implements it with
`openai.AsyncOpenAI`. Decisions:

- The SDK's own retries are **off** (`max_retries=0`): they are invisible (no log line,
  their own backoff). Instead `Whisper` retries explicitly, `TRANSCRIPT_STT_MAX_RETRIES`
  times (default 2, 0 = never), only on 429, 5xx, timeouts and connection errors,
  waiting the server's `Retry-After` (capped) or an exponential backoff, and logs a
  WARNING for every retry. Any other failure is not retried.
- Responses are validated strictly (`_strict_response_validation=True`): a reply that is
  not a verbose transcription (wrong fields, not JSON, not declared as JSON) is a
  precise `UpstreamError`, not a half-built object.
- Failures are `system` errors: a timeout is `UpstreamTimeoutError` (`TIMEOUT`, 504 in
  the API), anything else the provider did wrong `UpstreamError`
  (`EXTERNAL_SERVICE_ERROR`, 502) with the provider's status in the message.
"""

import asyncio
import json
import logging
import pathlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Literal, Protocol

import openai
from openai.types.audio import TranscriptionVerbose

from transcript_api.errors import UpstreamError, UpstreamTimeoutError

LOG = logging.getLogger("transcript_api.whisper")

MODEL = "whisper-1"
RESPONSE_FORMAT: Literal["verbose_json"] = "verbose_json"
MAX_RETRY_AFTER_S = 60.0
_MIME = {".webm": "audio/webm", ".m4a": "audio/mp4", ".mp3": "audio/mpeg", ".ogg": "audio/ogg"}


@dataclass(frozen=True, slots=True)
class Segment:
    """A timed piece of transcript (seconds from the start of its audio)."""

    start: float
    end: float
    text: str

    @property
    def duration(self) -> float:
        """`end - start`, never negative."""
        return max(0.0, self.end - self.start)


@dataclass(frozen=True, slots=True)
class Transcript:
    """What the provider heard in one audio file: its segments, in order."""

    segments: tuple[Segment, ...]


class SpeechToText(Protocol):
    """Transcribes one audio file (at most the provider's upload limit)."""

    async def transcribe(self, audio: pathlib.Path) -> Transcript:
        """The file's transcript; a failure is a `TranscriptError`."""
        ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Explicit retries of one request: how many, and the backoff between them."""

    max_retries: int
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds before retry number `retry` (1-based): the server's hint, else 2^n."""
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER_S)
        return min(self.backoff_s * 2.0 ** (retry - 1), self.max_backoff_s)


def make_openai_client(api_key: str, base_url: str | None, timeout_s: float) -> openai.AsyncOpenAI:
    """The SDK client: no SDK retries, strict response validation, our timeout."""
    return openai.AsyncOpenAI(
        api_key=api_key,
        base_url=base_url,
        timeout=timeout_s,
        max_retries=0,
        _strict_response_validation=True,
    )


def retry_after(exc: openai.APIError) -> float | None:
    """The server's `retry-after-ms` / `retry-after` (seconds) hint, if it sent one."""
    if not isinstance(exc, openai.APIStatusError):
        return None
    hints: list[tuple[str | None, float]] = [
        (exc.response.headers.get("retry-after-ms"), 1000.0),
        (exc.response.headers.get("retry-after"), 1.0),
    ]
    for raw, scale in hints:
        if raw is None:
            continue
        try:
            value = float(raw)
        except ValueError:
            continue
        return max(0.0, value / scale)
    return None


def is_retryable(exc: openai.APIError) -> bool:
    """429, 5xx, timeouts and connection failures are worth another attempt."""
    if isinstance(exc, openai.APIConnectionError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == HTTPStatus.TOO_MANY_REQUESTS or exc.status_code >= 500
    return False


def provider_error(exc: openai.APIError, timeout_s: float) -> UpstreamError:
    """The domain error for a failed Whisper request."""
    if isinstance(exc, openai.APITimeoutError):
        return UpstreamTimeoutError(f"speech-to-text request timed out after {timeout_s:g} seconds")
    if isinstance(exc, openai.APIConnectionError):
        detail = f"cannot reach the speech-to-text service: {exc.message}"
    elif isinstance(exc, openai.APIStatusError):
        detail = f"speech-to-text request failed with HTTP {exc.status_code}: {exc.message}"
    else:
        detail = f"speech-to-text service sent an invalid response: {exc.message}"
    return UpstreamError(detail)


def _transcript(result: TranscriptionVerbose) -> Transcript:
    if result.segments is None:
        raise UpstreamError("speech-to-text response has no segments")
    segments = tuple(
        Segment(start=s.start, end=s.end, text=s.text.strip())
        for s in result.segments
        if s.text.strip()
    )
    return Transcript(segments=segments)


Sleep = Callable[[float], Awaitable[None]]


class Whisper:
    """`SpeechToText` over OpenAI's transcription endpoint, with explicit retries."""

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        *,
        timeout_s: float,
        retries: RetryPolicy,
        read_file: Callable[[pathlib.Path], Awaitable[bytes]],
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._client = client
        self._timeout_s = timeout_s
        self._retries = retries
        self._read_file = read_file
        self._sleep = sleep

    async def transcribe(self, audio: pathlib.Path) -> Transcript:
        """One `whisper-1` request for `audio` (plus the policy's retries)."""
        data = await self._read_file(audio)
        upload = (audio.name, data, _MIME.get(audio.suffix, "application/octet-stream"))
        attempt = 0
        while True:
            attempt += 1
            try:
                result = await self._client.audio.transcriptions.create(
                    file=upload,
                    model=MODEL,
                    response_format=RESPONSE_FORMAT,
                    timeout=self._timeout_s,
                )
            except json.JSONDecodeError as exc:
                raise UpstreamError(
                    f"speech-to-text service sent an invalid response: {exc}"
                ) from exc
            except openai.APIError as exc:
                if not is_retryable(exc) or attempt > self._retries.max_retries:
                    raise provider_error(exc, self._timeout_s) from exc
                delay = self._retries.delay(attempt, retry_after(exc))
                LOG.warning(
                    "speech-to-text attempt %d of %d for %s failed (%s); retrying in %.2fs",
                    attempt,
                    self._retries.max_retries + 1,
                    audio.name,
                    exc.message,
                    delay,
                )
                await self._sleep(delay)
                continue
            return _transcript(result)
