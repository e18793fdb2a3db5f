"""transcript-api's own error codes and messages, raised as the platform's `AppError`.

The codes and their texts are the original service's (`TranscriptErrorCode`); each
factory returns the `AppError` with its HTTP status, so every raise site gets the same
wire code, message and status.
"""

from enum import StrEnum
from http import HTTPStatus

from platform_core.errors import AppError


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


def _bad_request(code: TranscriptErrorCode, message: str) -> AppError:
    return AppError(code, message, HTTPStatus.BAD_REQUEST)


def url_required() -> AppError:
    """400 `YOUTUBE_URL_REQUIRED`: the URL is blank."""
    return _bad_request(TranscriptErrorCode.YOUTUBE_URL_REQUIRED, "Please provide a YouTube URL")


def url_invalid() -> AppError:
    """400 `YOUTUBE_URL_INVALID`: the URL cannot be parsed."""
    return _bad_request(TranscriptErrorCode.YOUTUBE_URL_INVALID, "Invalid YouTube URL format")


def url_unsupported() -> AppError:
    """400 `YOUTUBE_URL_UNSUPPORTED`: the host is not a YouTube host."""
    return _bad_request(
        TranscriptErrorCode.YOUTUBE_URL_UNSUPPORTED, "Only YouTube URLs are supported"
    )


def video_id_invalid() -> AppError:
    """400 `YOUTUBE_VIDEO_ID_INVALID`: no 11-character video id in the URL."""
    return _bad_request(
        TranscriptErrorCode.YOUTUBE_VIDEO_ID_INVALID,
        "Could not extract a valid YouTube video id",
    )


def transcript_unavailable(video_id: str) -> AppError:
    """404 `TRANSCRIPT_UNAVAILABLE`: the video has no captions track (404, as the original)."""
    return AppError(
        TranscriptErrorCode.TRANSCRIPT_UNAVAILABLE,
        f"No captions available for video {video_id}",
        HTTPStatus.NOT_FOUND,
    )


def duration_unknown() -> AppError:
    """400 `STT_DURATION_UNKNOWN`: YouTube reports no positive duration."""
    return _bad_request(
        TranscriptErrorCode.STT_DURATION_UNKNOWN,
        "Unable to determine video duration for transcription.",
    )


def too_long(max_seconds: int) -> AppError:
    """400 `STT_TOO_LONG`: the video is longer than `TRANSCRIPT_MAX_VIDEO_SECONDS`."""
    return _bad_request(
        TranscriptErrorCode.STT_TOO_LONG, f"Video is too long for STT (>{max_seconds} seconds)."
    )


def download_failed() -> AppError:
    """400 `STT_DOWNLOAD_FAILED`: yt-dlp did not produce the audio file."""
    return _bad_request(
        TranscriptErrorCode.STT_DOWNLOAD_FAILED, "Failed to download audio for transcription"
    )


def chunking_disabled() -> AppError:
    """400 `STT_CHUNKING_DISABLED`: the audio is over the upload limit and chunking is off."""
    return _bad_request(
        TranscriptErrorCode.STT_CHUNKING_DISABLED,
        "Downloaded audio is too large for STT and chunking is disabled.",
    )


def chunk_failed(detail: str) -> AppError:
    """400 `STT_CHUNK_FAILED`: ffmpeg/ffprobe failed while splitting the audio."""
    return _bad_request(
        TranscriptErrorCode.STT_CHUNK_FAILED, f"Chunked transcription failed: {detail}"
    )


def ffmpeg_missing() -> AppError:
    """400 `STT_FFMPEG_MISSING`: ffmpeg or ffprobe is not on PATH."""
    return _bad_request(
        TranscriptErrorCode.STT_FFMPEG_MISSING, "ffmpeg/ffprobe not available; cannot chunk audio"
    )
