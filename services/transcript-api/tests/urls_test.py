"""The original's YouTube URL rules: codes, messages, canonical URLs."""

import pytest

from transcript_api.errors import TranscriptError
from transcript_api.urls import canonical_url, parse_youtube_url

VIDEO = "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.youtube.com/watch?v={VIDEO}",
        f"  https://youtube.com/watch?v={VIDEO}&t=10  ",
        f"http://m.youtube.com/watch?feature=x&v={VIDEO}&v=other",
        f"www.youtube.com/watch?v={VIDEO}",
        f"https://youtu.be/{VIDEO}",
        f"https://www.youtu.be/{VIDEO}/extra?si=1",
        f"https://www.youtube.com/shorts/{VIDEO}",
        f"https://WWW.YouTube.com/live/{VIDEO}/",
    ],
)
def test_valid_urls_canonicalise(url: str) -> None:
    video = parse_youtube_url(url)
    assert video.video_id == VIDEO
    assert video.url == f"https://www.youtube.com/watch?v={VIDEO}"
    assert canonical_url(VIDEO) == video.url


@pytest.mark.parametrize(
    ("url", "code", "message"),
    [
        ("", "YOUTUBE_URL_REQUIRED", "Please provide a YouTube URL"),
        ("   ", "YOUTUBE_URL_REQUIRED", "Please provide a YouTube URL"),
        ("https://[::1", "YOUTUBE_URL_INVALID", "Invalid YouTube URL format"),
        ("https://example.com/x", "YOUTUBE_URL_UNSUPPORTED", "Only YouTube URLs are supported"),
        (
            f"https://youtube.com:443/watch?v={VIDEO}",
            "YOUTUBE_URL_UNSUPPORTED",
            "Only YouTube URLs are supported",
        ),
        (
            "https://www.youtube.com/watch?v=too_short",
            "YOUTUBE_VIDEO_ID_INVALID",
            "Could not extract a valid YouTube video id",
        ),
        (
            "https://www.youtube.com/watch",
            "YOUTUBE_VIDEO_ID_INVALID",
            "Could not extract a valid YouTube video id",
        ),
        (
            "https://www.youtube.com/watch?v=",
            "YOUTUBE_VIDEO_ID_INVALID",
            "Could not extract a valid YouTube video id",
        ),
        (
            "https://www.youtube.com/channel/UC1234567890",
            "YOUTUBE_VIDEO_ID_INVALID",
            "Could not extract a valid YouTube video id",
        ),
        (
            "https://youtu.be/",
            "YOUTUBE_VIDEO_ID_INVALID",
            "Could not extract a valid YouTube video id",
        ),
        (
            f"https://www.youtube.com/watch?v={VIDEO}x",
            "YOUTUBE_VIDEO_ID_INVALID",
            "Could not extract a valid YouTube video id",
        ),
    ],
)
def test_invalid_urls_raise_the_original_errors(url: str, code: str, message: str) -> None:
    with pytest.raises(TranscriptError) as caught:
        parse_youtube_url(url)
    assert (caught.value.code, caught.value.message, caught.value.kind) == (code, message, "user")
