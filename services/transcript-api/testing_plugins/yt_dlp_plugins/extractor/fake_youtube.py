"""yt-dlp extractor plugin for tests: YouTube watch URLs are answered by the fake YouTube.

yt-dlp finds this module through `yt_dlp_plugins/extractor/` on `sys.path` and puts
`FakeYoutubeIE` before its own extractors. Only test targets have it on their path.
"""

from transcript_api_testing.youtube_ie import make_extractor

FakeYoutubeIE = make_extractor(__name__)

__all__ = ["FakeYoutubeIE"]
