"""Captions: the text of a video's YouTube subtitles, chosen as the original chose them.

Track choice (`choose_track`): manual subtitles first, then automatic captions; within
each kind the first of the preferred languages that exists, else the first language
available. A language counts when it has a WebVTT or SRT file (VTT preferred, as the
original's `vtt/srt/best`; YouTube's other formats are not parsed); keys that are empty
or `live_chat` never count. No track at all is 404 `TRANSCRIPT_UNAVAILABLE`.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from transcript_api.errors import transcript_unavailable
from transcript_api.offload import Offload
from transcript_api.subtitles import SubtitleFormatError, subtitle_text
from transcript_api.urls import YouTubeVideo
from transcript_api.ytdlp import (
    CaptionTrack,
    SubtitleFormat,
    Tracks,
    VideoInfo,
    YtDlp,
    youtube_error,
)

_NOT_CAPTIONS = frozenset({"", "live_chat"})
_FORMATS = ("vtt", "srt")


def _readable(formats: Sequence[SubtitleFormat]) -> SubtitleFormat | None:
    for ext in _FORMATS:
        for candidate in formats:
            if candidate.ext == ext and candidate.url:
                return candidate
    return None


def _pick(tracks: Tracks, preferred: Sequence[str], automatic: bool) -> CaptionTrack | None:
    available: dict[str, SubtitleFormat] = {}
    for lang, formats in tracks.items():
        readable = _readable(formats)
        if lang not in _NOT_CAPTIONS and readable is not None:
            available[lang] = readable
    order = [lang for lang in preferred if lang in available] + list(available)
    if not order:
        return None
    lang = order[0]
    chosen = available[lang]
    return CaptionTrack(lang=lang, automatic=automatic, ext=str(chosen.ext), url=str(chosen.url))


def choose_track(info: VideoInfo, preferred: Sequence[str]) -> CaptionTrack | None:
    """The track to use: manual before automatic, preferred languages first."""
    return _pick(info.subtitles, preferred, automatic=False) or _pick(
        info.automatic_captions, preferred, automatic=True
    )


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
        content = await self.offload.run(self.ytdlp.subtitles, video, track)
        try:
            return subtitle_text(content)
        except SubtitleFormatError as exc:
            raise youtube_error(video, "captions", exc) from exc
