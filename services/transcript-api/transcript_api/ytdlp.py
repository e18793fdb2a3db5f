"""The yt-dlp adapter: probe a video, download one subtitle track, download the audio.

yt-dlp has no type information, so its surface is declared once here as Protocols and
loaded with `importlib` (`load_yt_dlp`). Every method of `YtDlp` is synchronous and
blocking: call them through `transcript_api.offload.Offload`, never on the event loop.

Decisions: a video is probed once and its info reused for the download
(`process_ie_result`, as `--load-info-json` does), so captions cost one metadata round
trip and one subtitle download. yt-dlp's own retries are off (`retries`,
`fragment_retries`, `extractor_retries` = 0: no hidden retries) and every socket has a
timeout. Cookies (`TRANSCRIPT_COOKIES_TEXT`) are written to a private file per call,
since yt-dlp writes its cookie jar back when it closes. yt-dlp's messages go to the
`transcript_api.ytdlp` logger.
"""

import importlib
import logging
import pathlib
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from platform_core.errors import AppError, ErrorCode
from transcript_api.errors import download_failed, transcript_unavailable
from transcript_api.urls import YouTubeVideo

LOG = logging.getLogger("transcript_api.ytdlp")

SUBTITLE_FORMATS = "vtt/srt/best"
AUDIO_FORMAT = "bestaudio/best"


class YoutubeDLHandle(Protocol):
    """The part of `yt_dlp.YoutubeDL` this adapter uses."""

    def extract_info(self, url: str, download: bool) -> object:
        """Run the extractor for `url`; the info dict."""
        ...

    def process_ie_result(self, ie_result: object, download: bool) -> object:
        """Select formats/subtitles of an info dict and download them; the updated info."""
        ...

    def close(self) -> None:
        """Close connections and save the cookie jar."""
        ...


YoutubeDLFactory = Callable[[dict[str, object]], YoutubeDLHandle]


@dataclass(frozen=True, slots=True)
class YtDlpModule:
    """yt-dlp's constructor and its base error class, typed."""

    factory: YoutubeDLFactory
    error: type[Exception]
    http_error: type[Exception]


def load_yt_dlp() -> YtDlpModule:
    """The installed yt-dlp (`YoutubeDL`, `utils.YoutubeDLError`, `networking.HTTPError`)."""
    module = importlib.import_module("yt_dlp")
    utils = importlib.import_module("yt_dlp.utils")
    networking = importlib.import_module("yt_dlp.networking.exceptions")
    factory: YoutubeDLFactory = module.YoutubeDL
    error: type[Exception] = utils.YoutubeDLError
    http_error: type[Exception] = networking.HTTPError
    return YtDlpModule(factory=factory, error=error, http_error=http_error)


_CLOSE = "close"  # yt-dlp's HTTPError.close(), looked up by name: yt-dlp is untyped


def release_http_errors(exc: BaseException, http_error: type[Exception]) -> None:
    """Close the responses held by yt-dlp HTTP errors in `exc`'s chain.

    yt-dlp keeps an HTTP error's response (and its socket) open inside the exception it
    raises; closing it here frees the connection now rather than at garbage collection.
    """
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, http_error):
            close: Callable[[], None] = getattr(current, _CLOSE)
            close()
        current = current.__cause__ or current.__context__


class YtDlpLog:
    """yt-dlp's `logger` parameter: its messages as `transcript_api.ytdlp` log records."""

    def debug(self, message: str) -> None:
        """yt-dlp's progress and debug lines."""
        LOG.debug("%s", message)

    def warning(self, message: str) -> None:
        """yt-dlp's warnings."""
        LOG.warning("%s", message)

    def error(self, message: str) -> None:
        """yt-dlp's errors (the call also raises)."""
        LOG.warning("%s", message)


class _Format(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    ext: str | None = None
    url: str | None = None


Tracks = Mapping[str, tuple[_Format, ...]]


class VideoInfo(BaseModel):
    """What this service reads from yt-dlp's info dict."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    duration: float | None = None
    subtitles: dict[str, tuple[_Format, ...]] = Field(default_factory=dict)
    automatic_captions: dict[str, tuple[_Format, ...]] = Field(default_factory=dict)


class _Download(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    filepath: str | None = None


class _Downloaded(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    requested_downloads: tuple[_Download, ...] = ()


@dataclass(frozen=True, slots=True)
class Probe:
    """A probed video: the parsed info, and yt-dlp's own dict for a later download."""

    info: VideoInfo
    raw: object


@dataclass(frozen=True, slots=True)
class CaptionTrack:
    """A subtitle track to download: its language and whether it is automatic."""

    lang: str
    automatic: bool


def youtube_error(video: YouTubeVideo, action: str, exc: Exception) -> AppError:
    """502 `EXTERNAL_SERVICE_ERROR` for a yt-dlp failure talking to YouTube."""
    detail = str(exc).removeprefix("ERROR: ").strip()
    return AppError(
        ErrorCode.EXTERNAL_SERVICE_ERROR,
        f"YouTube {action} failed for video {video.video_id}: {detail}",
        HTTPStatus.BAD_GATEWAY,
    )


class YtDlp:
    """Blocking yt-dlp operations with this service's options."""

    def __init__(
        self,
        module: YtDlpModule,
        *,
        cookies: str | None,
        socket_timeout: float,
        work_dir: pathlib.Path | None,
    ) -> None:
        self._module = module
        self._cookies = cookies
        self._socket_timeout = socket_timeout
        self.work_dir = work_dir

    def _params(self, scratch: pathlib.Path, extra: Mapping[str, object]) -> dict[str, object]:
        params: dict[str, object] = {
            "quiet": True,
            "noprogress": True,
            "cachedir": False,
            "logger": YtDlpLog(),
            "socket_timeout": self._socket_timeout,
            "retries": 0,
            "fragment_retries": 0,
            "extractor_retries": 0,
            "file_access_retries": 0,
        }
        if self._cookies is not None:
            cookiefile = scratch / "cookies.txt"
            cookiefile.write_text(self._cookies, encoding="utf-8")
            params["cookiefile"] = str(cookiefile)
        params.update(extra)
        return params

    @contextmanager
    def _session(self, prefix: str, extra: Mapping[str, object]) -> Iterator[YoutubeDLHandle]:
        with tempfile.TemporaryDirectory(prefix=prefix, dir=self.work_dir) as scratch:
            handle = self._module.factory(self._params(pathlib.Path(scratch), extra))
            try:
                yield handle
            finally:
                handle.close()

    def probe(self, video: YouTubeVideo) -> Probe:
        """The video's info (duration, subtitle tracks) without downloading anything."""
        with self._session("ytprobe_", {"skip_download": True}) as ydl:
            try:
                raw = ydl.extract_info(video.url, download=False)
            except self._module.error as exc:
                release_http_errors(exc, self._module.http_error)
                raise youtube_error(video, "probe", exc) from exc
        try:
            info = VideoInfo.model_validate(raw)
        except ValidationError as exc:
            raise youtube_error(video, "probe", exc) from exc
        return Probe(info=info, raw=raw)

    def subtitles(self, video: YouTubeVideo, probe: Probe, track: CaptionTrack) -> str:
        """The content of one subtitle track (VTT, else SRT, else the best); 404
        `TRANSCRIPT_UNAVAILABLE` if yt-dlp writes no file for it."""
        with tempfile.TemporaryDirectory(prefix="ytsubs_", dir=self.work_dir) as out:
            options: dict[str, object] = {
                "skip_download": True,
                "writesubtitles": not track.automatic,
                "writeautomaticsub": track.automatic,
                "subtitleslangs": [track.lang],
                "subtitlesformat": SUBTITLE_FORMATS,
                "outtmpl": str(pathlib.Path(out) / "subs.%(ext)s"),
            }
            with self._session("ytsubs_", options) as ydl:
                try:
                    ydl.process_ie_result(probe.raw, download=True)
                except self._module.error as exc:
                    release_http_errors(exc, self._module.http_error)
                    raise youtube_error(video, "subtitle download", exc) from exc
            files = sorted(pathlib.Path(out).glob("subs.*"))
            if not files:
                raise transcript_unavailable(video.video_id)
            return files[0].read_text(encoding="utf-8")

    def download_audio(self, video: YouTubeVideo, probe: Probe, dest: pathlib.Path) -> pathlib.Path:
        """Download the best audio stream into directory `dest`; the file's path.

        A yt-dlp failure or a missing file is `STT_DOWNLOAD_FAILED`.
        """
        options: dict[str, object] = {
            "format": AUDIO_FORMAT,
            "outtmpl": str(dest / "audio.%(ext)s"),
            "restrictfilenames": True,
            "overwrites": True,
        }
        with self._session("ytaudio_", options) as ydl:
            try:
                raw = ydl.process_ie_result(probe.raw, download=True)
            except self._module.error as exc:
                release_http_errors(exc, self._module.http_error)
                LOG.warning("audio download failed for %s: %s", video.video_id, exc)
                raise download_failed() from exc
        downloads = _Downloaded.model_validate(raw).requested_downloads
        path = pathlib.Path(downloads[0].filepath) if downloads and downloads[0].filepath else None
        if path is None or not path.is_file():
            raise download_failed()
        return path
