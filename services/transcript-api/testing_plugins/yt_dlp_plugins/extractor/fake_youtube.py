"""yt-dlp extractor plugin for tests: YouTube watch URLs are answered by the fake YouTube.

yt-dlp finds this module through `yt_dlp_plugins/extractor/` on `sys.path`; its
`YoutubeIE` replaces yt-dlp's own (see `transcript_api_testing.youtube_ie`). Only test
targets have it on their path.
"""

from transcript_api_testing.youtube_ie import make_extractor

YoutubeIE = make_extractor(__name__)

__all__ = ["YoutubeIE"]
