"""Captions: the text of a video's YouTube subtitles, chosen as the original chose them.

Track choice (`choose_track`): manual subtitles first, then automatic captions; within
each kind the first of the preferred languages that exists, else the first language
available (keys that are empty or `live_chat` do not count). No track at all is 404
`TRANSCRIPT_UNAVAILABLE`, as is a track that yt-dlp does not write.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from transcript_api.errors import transcript_unavailable
from transcript_api.offload import Offload
from transcript_api.subtitles import SubtitleFormatError, subtitle_text
from transcript_api.urls import YouTubeVideo
from transcript_api.ytdlp import CaptionTrack, Tracks, VideoInfo, YtDlp, youtube_error

_NOT_CAPTIONS = frozenset({"", "live_chat"})


def _pick(tracks: Tracks, preferred: Sequence[str]) -> str | None:
    available = [lang for lang, formats in tracks.items() if lang not in _NOT_CAPTIONS and formats]
    for lang in preferred:
        if lang in available:
            return lang
    return available[0] if available else None


def choose_track(info: VideoInfo, preferred: Sequence[str]) -> CaptionTrack | None:
    """The track to use: manual before automatic, preferred languages first."""
    manual = _pick(info.subtitles, preferred)
    if manual is not None:
        return CaptionTrack(lang=manual, automatic=False)
    automatic = _pick(info.automatic_captions, preferred)
    if automatic is not None:
        return CaptionTrack(lang=automatic, automatic=True)
    return None


@dataclass(frozen=True, slots=True)
class Captions:
    """Fetches caption text with yt-dlp on the `offload` pool."""

    ytdlp: YtDlp
    offload: Offload

    async def text(self, video: YouTubeVideo, preferred: Sequence[str]) -> str:
        """The video's caption text, or 404 `TRANSCRIPT_UNAVAILABLE`."""
        probe = await self.offload.run(self.ytdlp.probe, video)
        track = choose_track(probe.info, preferred)
        if track is None:
            raise transcript_unavailable(video.video_id)
        content = await self.offload.run(self.ytdlp.subtitles, video, probe, track)
        try:
            return subtitle_text(content)
        except SubtitleFormatError as exc:
            raise youtube_error(video, "captions", exc) from exc
