"""YouTube URL rules of the original transcript-api: video id and canonical URL.

In order (codes and messages in `transcript_api.errors`, all `TranscriptInputError`, 400):

1. Trim; blank -> `YOUTUBE_URL_REQUIRED`. Without `://`, `https://` is prepended.
2. `urlsplit` fails (`https://[::1`) -> `YOUTUBE_URL_INVALID`.
3. The lower-cased netloc (port included, so `youtube.com:443` is refused) must be one
   of `YOUTUBE_HOSTS`, else `YOUTUBE_URL_UNSUPPORTED`.
4. The id is the first `v` query value of `/watch`, the segment after `/shorts/` or
   `/live/`, or youtu.be's first path segment; it must match `[A-Za-z0-9_-]{11}`, else
   `YOUTUBE_VIDEO_ID_INVALID`.
5. The canonical URL is `https://www.youtube.com/watch?v=<id>`.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from transcript_api.errors import url_invalid, url_required, url_unsupported, video_id_invalid

YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "www.youtu.be"}
)
_SHORT_HOSTS = frozenset({"youtu.be", "www.youtu.be"})
_ID_PREFIXES = ("/shorts/", "/live/")
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}", re.ASCII)


@dataclass(frozen=True, slots=True)
class YouTubeVideo:
    """A validated video: its 11-character id and canonical watch URL."""

    video_id: str

    @property
    def url(self) -> str:
        """`https://www.youtube.com/watch?v=<id>`."""
        return canonical_url(self.video_id)


def canonical_url(video_id: str) -> str:
    """The canonical watch URL of a video id."""
    return f"https://www.youtube.com/watch?v={video_id}"


def parse_youtube_url(raw: str) -> YouTubeVideo:
    """The video a YouTube URL points at, or the original's `TranscriptInputError`."""
    text = raw.strip()
    if not text:
        raise url_required()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        raise url_invalid() from None
    host = parts.netloc.lower()
    if host not in YOUTUBE_HOSTS:
        raise url_unsupported()
    candidate = _candidate_id(host, parts.path, parts.query)
    if candidate is None or _VIDEO_ID.fullmatch(candidate) is None:
        raise video_id_invalid()
    return YouTubeVideo(video_id=candidate)


def _candidate_id(host: str, path: str, query: str) -> str | None:
    if host in _SHORT_HOSTS:
        return path.lstrip("/").split("/", 1)[0]
    if path == "/watch":
        values = parse_qs(query).get("v")
        return values[0] if values else None
    for prefix in _ID_PREFIXES:
        if path.startswith(prefix):
            return path.removeprefix(prefix).split("/", 1)[0]
    return None
