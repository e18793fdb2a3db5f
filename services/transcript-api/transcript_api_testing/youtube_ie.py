"""The fake YouTube extractor class that the yt-dlp plugin module exposes.

yt-dlp has no type information, so the class is built with `type()` on yt-dlp's
`InfoExtractor` (loaded by name) rather than with a class statement. Its
`_real_extract` reads the video's info from the fake server named by
`$TRANSCRIPT_FAKE_YOUTUBE_URL` through yt-dlp's own networking (`_download_json`), so
latency and failures of the fake reach yt-dlp as they would from YouTube.
"""

import os
from typing import Protocol

from platform_core.checked import is_class, module_attribute
from transcript_api_testing.fake_youtube import FAKE_YOUTUBE_ENV

VALID_URL = r"https?://(?:www\.)?youtube\.com/watch\?v=(?P<id>[A-Za-z0-9_-]{11})"


class FakeYouTubeUnsetError(RuntimeError):
    """The plugin is loaded but no fake YouTube was named in the environment."""


class _Extractor(Protocol):
    def _match_id(self, url: str) -> str: ...

    def _download_json(self, url_or_request: str, video_id: str) -> object: ...


def _real_extract(self: _Extractor, url: str) -> object:
    base = os.environ.get(FAKE_YOUTUBE_ENV)
    if not base:
        raise FakeYouTubeUnsetError(f"set {FAKE_YOUTUBE_ENV} to the fake YouTube's base URL")
    video_id = self._match_id(url)
    return self._download_json(f"{base.rstrip('/')}/info/{video_id}", video_id)


def make_extractor(module: str) -> type:
    """The fake `YoutubeIE` class, defined as if in `module` (yt-dlp checks that).

    Its name is yt-dlp's own YouTube extractor's: yt-dlp merges plugin extractors first
    and by class name, so the fake replaces the real one, also where the service asks
    for it by key (`ie_key="Youtube"`).
    """
    base = module_attribute("yt_dlp.extractor.common", "InfoExtractor", is_class)
    namespace: dict[str, object] = {
        "__module__": module,
        "__doc__": "Claims YouTube watch URLs and answers from the fake YouTube.",
        "IE_NAME": "youtube",
        "_VALID_URL": VALID_URL,
        "_real_extract": _real_extract,
    }
    return type("YoutubeIE", (base,), namespace)
