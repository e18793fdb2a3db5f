"""The yt-dlp adapter: probe a video, fetch a subtitle file, download the audio.

yt-dlp has no type information, so its surface is declared once here as Protocols and
loaded with `importlib` (`load_yt_dlp`). Every method of `YtDlp` is synchronous and
blocking: call them through `transcript_api.offload.Offload`, never on the event loop.

Decisions, most of them for speed (a `YoutubeDL` costs ~90 ms of CPU to build and
~50 ms more for its first HTTPS context, all under the GIL, which the event loop shares):

- Each pool thread keeps one `YoutubeDL` session for probes and subtitle fetches,
  built on first use (or by `warm` at startup) and closed by `close()`.
- A probe runs only the YouTube extractor (`ie_key="Youtube"`; the canonical watch URL
  is all it is given) and does not run format selection (`process=False`): captions need
  only the extractor's own result. The audio download processes that same result in a
  fresh `YoutubeDL` with the audio options (`process_ie_result`, as `--load-info-json`
  does), so a video is probed once.
- A subtitle file is fetched with the session's own HTTP stack (`urlopen`: yt-dlp's
  cookies, headers, timeouts) rather than its subtitle writer: no temporary files.
- yt-dlp's own retries are off (`retries`, `fragment_retries`, `extractor_retries` = 0:
  no hidden retries) and every socket has a timeout.
- Cookies (`TRANSCRIPT_COOKIES_TEXT`) are written to a private temporary file only while
  a `YoutubeDL` loads them; yt-dlp's messages go to the `transcript_api.ytdlp` logger.
"""

import logging
import pathlib
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, TypeGuard

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from platform_core.checked import is_exception_class, module_attribute
from transcript_api.errors import UpstreamError, download_failed
from transcript_api.urls import YouTubeVideo

LOG = logging.getLogger("transcript_api.ytdlp")

YOUTUBE_IE = "Youtube"
WARM_URL = "data:,"
AUDIO_FORMAT = "bestaudio/best"


class HttpResponse(Protocol):
    """The part of yt-dlp's `Response` used here."""

    def read(self) -> bytes:
        """The whole body."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class YoutubeDLHandle(Protocol):
    """The part of `yt_dlp.YoutubeDL` this adapter uses."""

    params: dict[str, object]
    cookiejar: object

    def extract_info(
        self, url: str, download: bool, ie_key: str | None = None, process: bool = True
    ) -> object:
        """Run the extractor for `url`; the info dict."""
        ...

    def process_ie_result(self, ie_result: object, download: bool) -> object:
        """Select formats of an info dict and download them; the updated info."""
        ...

    def urlopen(self, req: str) -> HttpResponse:
        """A GET through yt-dlp's networking."""
        ...

    def close(self) -> None:
        """Close connections and save the cookie jar."""
        ...


YoutubeDLFactory = Callable[[dict[str, object]], YoutubeDLHandle]


class _HttpErrorClass(Protocol):
    """yt-dlp's `HTTPError` class as seen here: its `close` method, unbound."""

    close: Callable[[Exception], None]


@dataclass(frozen=True, slots=True)
class YtDlpModule:
    """yt-dlp's constructor and error classes, typed.

    `close_http_error` is `HTTPError.close` (it closes the response the error holds).
    """

    factory: YoutubeDLFactory
    error: type[Exception]
    http_error: type[Exception]
    close_http_error: Callable[[Exception], None]


def _is_factory(value: object) -> TypeGuard[YoutubeDLFactory]:
    return callable(value)


def _has_close(value: object) -> TypeGuard[_HttpErrorClass]:
    return is_exception_class(value) and hasattr(value, "close")


def load_yt_dlp() -> YtDlpModule:
    """The installed yt-dlp (`YoutubeDL`, `utils.YoutubeDLError`, `networking.HTTPError`)."""
    networking = "yt_dlp.networking.exceptions"
    return YtDlpModule(
        factory=module_attribute("yt_dlp", "YoutubeDL", _is_factory),
        error=module_attribute("yt_dlp.utils", "YoutubeDLError", is_exception_class),
        http_error=module_attribute(networking, "HTTPError", is_exception_class),
        close_http_error=module_attribute(networking, "HTTPError", _has_close).close,
    )


def release_http_errors(exc: BaseException, module: YtDlpModule) -> None:
    """Close the responses held by yt-dlp HTTP errors in `exc`'s chain.

    yt-dlp keeps an HTTP error's response (and its socket) open inside the exception it
    raises; closing it here frees the connection now rather than at garbage collection.
    """
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, module.http_error):
            module.close_http_error(current)
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


class SubtitleFormat(BaseModel):
    """One file of a subtitle track: its format (`vtt`, `srt`, `json3`, ...) and URL."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    ext: str | None = None
    url: str | None = None


Tracks = Mapping[str, tuple[SubtitleFormat, ...]]


class VideoInfo(BaseModel):
    """What this service reads from the extractor's info dict."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    duration: float | None = None
    subtitles: dict[str, tuple[SubtitleFormat, ...]] = Field(default_factory=dict)
    automatic_captions: dict[str, tuple[SubtitleFormat, ...]] = Field(default_factory=dict)


class _Download(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    filepath: str | None = None


class _Downloaded(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    requested_downloads: tuple[_Download, ...] = ()


@dataclass(frozen=True, slots=True)
class Probe:
    """A probed video: the parsed info, and the extractor's own dict for a download."""

    info: VideoInfo
    raw: object


@dataclass(frozen=True, slots=True)
class CaptionTrack:
    """A subtitle file to fetch: its language, whether it is automatic, format and URL."""

    lang: str
    automatic: bool
    ext: str
    url: str


class DownloadAbortedError(Exception):
    """An audio download stopped because its caller gave up on it (the job was cancelled)."""

    def __init__(self, video_id: str) -> None:
        super().__init__(f"audio download of {video_id} aborted")


def youtube_error(video: YouTubeVideo, action: str, exc: Exception) -> UpstreamError:
    """The upstream error for a yt-dlp failure talking to YouTube."""
    detail = str(exc).removeprefix("ERROR: ").strip()
    return UpstreamError(f"YouTube {action} failed for video {video.video_id}: {detail}")


class _ThreadSession(threading.local):
    """The calling thread's yt-dlp session, once it has one."""

    session: YoutubeDLHandle | None = None


class YtDlp:
    """Blocking yt-dlp operations with this service's options (one session per thread)."""

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
        self._local = _ThreadSession()
        self._sessions: list[YoutubeDLHandle] = []
        self._lock = threading.Lock()

    def _open(self, extra: Mapping[str, object]) -> YoutubeDLHandle:
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
            **extra,
        }
        if self._cookies is None:
            return self._module.factory(params)
        with tempfile.TemporaryDirectory(prefix="ytcookies_", dir=self.work_dir) as scratch:
            cookiefile = pathlib.Path(scratch) / "cookies.txt"
            cookiefile.write_text(self._cookies, encoding="utf-8")
            handle = self._module.factory({**params, "cookiefile": str(cookiefile)})
            loaded = handle.cookiejar  # yt-dlp reads the file on first access: now
            handle.params["cookiefile"] = None  # never written back
            LOG.debug("yt-dlp session has cookies (%s)", type(loaded).__name__)
        return handle

    def _session(self) -> YoutubeDLHandle:
        session = self._local.session
        if session is None:
            session = self._open({"skip_download": True})
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def warm(self, barrier: threading.Barrier) -> None:
        """Build this thread's session and its HTTP handler (a `data:` URL: no network),
        then wait at `barrier`, so that N calls warm N distinct pool threads.

        Building them costs ~150 ms of CPU, ~50 ms of it in C holding the GIL (loading the
        CA bundle); done at startup, it never stalls the event loop while serving.
        """
        response = self._session().urlopen(WARM_URL)
        try:
            response.read()
        finally:
            response.close()
        barrier.wait()

    def close(self) -> None:
        """Close every thread's session."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    @contextmanager
    def _fresh(self, extra: Mapping[str, object]) -> Iterator[YoutubeDLHandle]:
        handle = self._open(extra)
        try:
            yield handle
        finally:
            handle.close()

    def probe(self, video: YouTubeVideo) -> Probe:
        """The video's info (duration, subtitle tracks) without downloading anything."""
        try:
            raw = self._session().extract_info(
                video.url, download=False, ie_key=YOUTUBE_IE, process=False
            )
        except self._module.error as exc:
            release_http_errors(exc, self._module)
            raise youtube_error(video, "probe", exc) from exc
        try:
            info = VideoInfo.model_validate(raw)
        except ValidationError as exc:
            raise youtube_error(video, "probe", exc) from exc
        return Probe(info=info, raw=raw)

    def subtitles(self, video: YouTubeVideo, track: CaptionTrack) -> str:
        """The text of one subtitle file (UTF-8)."""
        try:
            response = self._session().urlopen(track.url)
            try:
                data = response.read()
            finally:
                response.close()
        except self._module.error as exc:
            release_http_errors(exc, self._module)
            raise youtube_error(video, "subtitle download", exc) from exc
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise youtube_error(video, "subtitle download", exc) from exc

    def download_audio(
        self, video: YouTubeVideo, probe: Probe, dest: pathlib.Path, abort: threading.Event
    ) -> pathlib.Path:
        """Download the best audio stream into directory `dest`; the file's path.

        A yt-dlp failure or a missing file is `STT_DOWNLOAD_FAILED`. Once `abort` is set,
        the download stops at yt-dlp's next progress report (after each block read) with
        `DownloadAbortedError`.
        """

        def stop_if_aborted(report: object) -> None:
            del report
            if abort.is_set():
                raise DownloadAbortedError(video.video_id)

        options: dict[str, object] = {
            "format": AUDIO_FORMAT,
            "outtmpl": str(dest / "audio.%(ext)s"),
            "restrictfilenames": True,
            "overwrites": True,
            "progress_hooks": [stop_if_aborted],
        }
        with self._fresh(options) as ydl:
            try:
                raw = ydl.process_ie_result(probe.raw, download=True)
            except self._module.error as exc:
                release_http_errors(exc, self._module)
                LOG.warning("audio download failed for %s: %s", video.video_id, exc)
                raise download_failed() from exc
        downloads = _Downloaded.model_validate(raw).requested_downloads
        path = pathlib.Path(downloads[0].filepath) if downloads and downloads[0].filepath else None
        if path is None or not path.is_file():
            raise download_failed()
        return path
