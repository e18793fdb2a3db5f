"""A local stand-in for YouTube that the real yt-dlp talks to over HTTP.

The test extractor plugin (`yt_dlp_plugins.extractor.fake_youtube`) claims
`https://www.youtube.com/watch?v=<id>` and fetches `GET {base}/info/<id>` from this
server, where `base` is `$TRANSCRIPT_FAKE_YOUTUBE_URL`. The info names an audio format
and subtitle tracks whose URLs point back here, so yt-dlp's real downloaders fetch
`/audio/<id>.<ext>` and `/subs/<id>/<kind>/<lang>/<n>.<ext>`.

Every response waits `latency_s` first (the benchmark's 200 ms YouTube). A video can
serve no audio (404), truncated audio (the body stops short of its Content-Length),
held audio (`hold_audio`: the first 1 KiB block, then nothing until the test sets
`audio_release`; a download still running when the test needs it to be), or subtitle
tracks that fail. `requests` records each path served, `cookies` the `Cookie` header
each request carried, `audio_bytes_sent` the audio bytes handed to the server so far
(`audio_started` is set once the first block of held audio is).
"""

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

FAKE_YOUTUBE_ENV = "TRANSCRIPT_FAKE_YOUTUBE_URL"

SubtitleExt = Literal["vtt", "srt"]
AudioExt = Literal["webm", "m4a"]
_AUDIO_TYPES: Mapping[AudioExt, tuple[str, str, str]] = {
    "webm": ("251", "opus", "audio/webm"),
    "m4a": ("140", "mp4a.40.2", "audio/mp4"),
}
_SUBTITLE_TYPES: Mapping[SubtitleExt, str] = {"vtt": "text/vtt", "srt": "application/x-subrip"}
AUDIO_BLOCK = 1024


@dataclass(frozen=True, slots=True)
class FakeSubtitle:
    """One subtitle file of a track; `status` other than 200 serves that error instead."""

    ext: SubtitleExt
    content: str | bytes
    status: int = 200


@dataclass(frozen=True, slots=True)
class FakeVideo:
    """A video YouTube would know: duration, audio bytes, subtitle tracks by language."""

    video_id: str
    duration: float | None = 60.0
    audio: bytes | None = None
    audio_ext: AudioExt = "webm"
    truncate_audio: bool = False
    hold_audio: bool = False
    subtitles: Mapping[str, Sequence[FakeSubtitle]] = field(default_factory=dict)
    automatic_captions: Mapping[str, Sequence[FakeSubtitle]] = field(default_factory=dict)


def _tracks(
    base: str, video_id: str, kind: str, tracks: Mapping[str, Sequence[FakeSubtitle]]
) -> dict[str, list[dict[str, str]]]:
    return {
        lang: [
            {"ext": sub.ext, "url": f"{base}/subs/{video_id}/{kind}/{lang}/{n}.{sub.ext}"}
            for n, sub in enumerate(subs)
        ]
        for lang, subs in tracks.items()
    }


def path_param(request: Request, name: str) -> str:
    """A path parameter of the route, as text."""
    params: Mapping[str, object] = request.path_params
    return str(params[name])


def json_response(body: Mapping[str, object], status_code: int = 200) -> JSONResponse:
    """`body` as a JSON response."""
    return JSONResponse(body, status_code=status_code)


class FakeYouTube:
    """The fake's catalogue and its Starlette app (`app`)."""

    def __init__(self, *, latency_s: float = 0.0) -> None:
        self.latency_s = latency_s
        self.base_url = ""
        self.videos: dict[str, FakeVideo] = {}
        self.requests: list[str] = []
        self.cookies: list[str | None] = []
        self.audio_bytes_sent = 0
        self.audio_started = asyncio.Event()
        self.audio_release = asyncio.Event()
        self.app = Starlette(
            routes=[
                Route("/info/{video_id}", self._info),
                Route("/audio/{video_id}.{ext}", self._audio),
                Route("/subs/{video_id}/{kind}/{lang}/{n}.{ext}", self._subtitle),
            ]
        )

    def add(self, video: FakeVideo) -> FakeVideo:
        """Make `video` known (replacing one with the same id)."""
        self.videos[video.video_id] = video
        return video

    async def _enter(self, request: Request) -> FakeVideo | None:
        self.requests.append(request.url.path)
        self.cookies.append(request.headers.get("cookie"))
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        return self.videos.get(path_param(request, "video_id"))

    async def _info(self, request: Request) -> Response:
        video = await self._enter(request)
        if video is None:
            return json_response({"error": "video unavailable"}, status_code=404)
        base = str(request.base_url).rstrip("/")
        format_id, acodec, _ = _AUDIO_TYPES[video.audio_ext]
        audio_format: dict[str, str | int] = {
            "format_id": format_id,
            "url": f"{base}/audio/{video.video_id}.{video.audio_ext}",
            "ext": video.audio_ext,
            "acodec": acodec,
            "vcodec": "none",
            "protocol": "http",
        }
        return json_response(
            {
                "id": video.video_id,
                "title": f"Fake video {video.video_id}",
                "duration": video.duration,
                "webpage_url": f"https://www.youtube.com/watch?v={video.video_id}",
                "formats": [audio_format],
                "subtitles": _tracks(base, video.video_id, "manual", video.subtitles),
                "automatic_captions": _tracks(
                    base, video.video_id, "auto", video.automatic_captions
                ),
            }
        )

    async def _audio(self, request: Request) -> Response:
        video = await self._enter(request)
        if video is None or video.audio is None:
            return Response("no such audio", status_code=404)
        _, _, media_type = _AUDIO_TYPES[video.audio_ext]
        declared = {"content-length": str(len(video.audio))}
        if video.truncate_audio:
            half = video.audio[: len(video.audio) // 2]
            return Response(half, media_type=media_type, headers=declared)
        if video.hold_audio:
            held = self._held(video.audio)
            return StreamingResponse(held, media_type=media_type, headers=declared)
        self.audio_bytes_sent += len(video.audio)
        return Response(video.audio, media_type=media_type)

    async def _held(self, audio: bytes) -> AsyncIterator[bytes]:
        for block in (audio[:AUDIO_BLOCK], audio[AUDIO_BLOCK:]):
            self.audio_bytes_sent += len(block)
            self.audio_started.set()
            yield block
            await self.audio_release.wait()

    async def _subtitle(self, request: Request) -> Response:
        video = await self._enter(request)
        kind = path_param(request, "kind")
        lang = path_param(request, "lang")
        index = int(path_param(request, "n"))
        tracks: Mapping[str, Sequence[FakeSubtitle]] = {}
        if video is not None:
            tracks = video.subtitles if kind == "manual" else video.automatic_captions
        subs = tracks.get(lang, ())
        if index >= len(subs):
            return Response("no such subtitle", status_code=404)
        sub = subs[index]
        if sub.status != 200:
            return Response("subtitle failed", status_code=sub.status)
        return Response(sub.content, media_type=_SUBTITLE_TYPES[sub.ext])
