"""transcript-api's domain errors: each carries its wire code, its message and its kind.

They know nothing of HTTP. `kind` says whose fault a failure is: `user` (the URL or the
video the client gave cannot be transcribed) or `system` (YouTube or the speech-to-text
service failed). The app's error table (`transcript_api.app.ERRORS`) gives each class
its HTTP status (400, 404, 502, 504); the worker ends a job `failed` with `error_kind` =
`kind`. The factories below give every raise site the original's code and text.
"""

from enum import StrEnum
from typing import ClassVar, Literal

from platform_core.errors import ErrorCode

ErrorKind = Literal["user", "system"]


class TranscriptErrorCode(StrEnum):
    """The original's transcript codes that this service raises (wire value = name)."""

    YOUTUBE_URL_REQUIRED = "YOUTUBE_URL_REQUIRED"
    YOUTUBE_URL_INVALID = "YOUTUBE_URL_INVALID"
    YOUTUBE_URL_UNSUPPORTED = "YOUTUBE_URL_UNSUPPORTED"
    YOUTUBE_VIDEO_ID_INVALID = "YOUTUBE_VIDEO_ID_INVALID"
    TRANSCRIPT_UNAVAILABLE = "TRANSCRIPT_UNAVAILABLE"
    STT_DURATION_UNKNOWN = "STT_DURATION_UNKNOWN"
    STT_TOO_LONG = "STT_TOO_LONG"
    STT_DOWNLOAD_FAILED = "STT_DOWNLOAD_FAILED"
    STT_CHUNKING_DISABLED = "STT_CHUNKING_DISABLED"
    STT_CHUNK_FAILED = "STT_CHUNK_FAILED"
    STT_FFMPEG_MISSING = "STT_FFMPEG_MISSING"


class TranscriptError(Exception):
    """A failure of the transcript pipeline: `code` and `message` as the client sees them."""

    kind: ClassVar[ErrorKind]

    def __init__(self, code: StrEnum, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TranscriptInputError(TranscriptError):
    """The URL or the video cannot be transcribed (the original's 400 codes)."""

    kind: ClassVar[ErrorKind] = "user"


class TranscriptUnavailableError(TranscriptError):
    """The video has no captions track."""

    kind: ClassVar[ErrorKind] = "user"


class UpstreamError(TranscriptError):
    """YouTube or the speech-to-text service failed or answered nonsense."""

    kind: ClassVar[ErrorKind] = "system"

    def __init__(self, message: str, code: ErrorCode = ErrorCode.EXTERNAL_SERVICE_ERROR) -> None:
        super().__init__(code, message)


class UpstreamTimeoutError(UpstreamError):
    """The speech-to-text service did not answer in time."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ErrorCode.TIMEOUT)


def url_required() -> TranscriptInputError:
    """`YOUTUBE_URL_REQUIRED`: the URL is blank."""
    return TranscriptInputError(
        TranscriptErrorCode.YOUTUBE_URL_REQUIRED, "Please provide a YouTube URL"
    )


def url_invalid() -> TranscriptInputError:
    """`YOUTUBE_URL_INVALID`: the URL cannot be parsed."""
    return TranscriptInputError(
        TranscriptErrorCode.YOUTUBE_URL_INVALID, "Invalid YouTube URL format"
    )


def url_unsupported() -> TranscriptInputError:
    """`YOUTUBE_URL_UNSUPPORTED`: the host is not a YouTube host."""
    return TranscriptInputError(
        TranscriptErrorCode.YOUTUBE_URL_UNSUPPORTED, "Only YouTube URLs are supported"
    )


def video_id_invalid() -> TranscriptInputError:
    """`YOUTUBE_VIDEO_ID_INVALID`: no 11-character video id in the URL."""
    return TranscriptInputError(
        TranscriptErrorCode.YOUTUBE_VIDEO_ID_INVALID,
        "Could not extract a valid YouTube video id",
    )


def transcript_unavailable(video_id: str) -> TranscriptUnavailableError:
    """`TRANSCRIPT_UNAVAILABLE` (404, as the original): the video has no captions track."""
    return TranscriptUnavailableError(
        TranscriptErrorCode.TRANSCRIPT_UNAVAILABLE, f"No captions available for video {video_id}"
    )


def duration_unknown() -> TranscriptInputError:
    """`STT_DURATION_UNKNOWN`: YouTube reports no positive duration."""
    return TranscriptInputError(
        TranscriptErrorCode.STT_DURATION_UNKNOWN,
        "Unable to determine video duration for transcription.",
    )


def too_long(max_seconds: int) -> TranscriptInputError:
    """`STT_TOO_LONG`: the video is longer than `TRANSCRIPT_MAX_VIDEO_SECONDS`."""
    return TranscriptInputError(
        TranscriptErrorCode.STT_TOO_LONG, f"Video is too long for STT (>{max_seconds} seconds)."
    )


def download_failed() -> TranscriptInputError:
    """`STT_DOWNLOAD_FAILED`: yt-dlp did not produce the audio file."""
    return TranscriptInputError(
        TranscriptErrorCode.STT_DOWNLOAD_FAILED, "Failed to download audio for transcription"
    )


def chunking_disabled() -> TranscriptInputError:
    """`STT_CHUNKING_DISABLED`: the audio is over the upload limit and chunking is off."""
    return TranscriptInputError(
        TranscriptErrorCode.STT_CHUNKING_DISABLED,
        "Downloaded audio is too large for STT and chunking is disabled.",
    )


def chunk_failed(detail: str) -> TranscriptInputError:
    """`STT_CHUNK_FAILED`: ffmpeg/ffprobe failed while splitting the audio."""
    return TranscriptInputError(
        TranscriptErrorCode.STT_CHUNK_FAILED, f"Chunked transcription failed: {detail}"
    )


def ffmpeg_missing() -> TranscriptInputError:
    """`STT_FFMPEG_MISSING`: ffmpeg or ffprobe is not on PATH."""
    return TranscriptInputError(
        TranscriptErrorCode.STT_FFMPEG_MISSING, "ffmpeg/ffprobe not available; cannot chunk audio"
    )
