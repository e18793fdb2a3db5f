"""The yt-dlp adapter against the fake YouTube: probe, audio, subtitles, cookies, errors.

yt-dlp blocks, and the fake YouTube runs on the test's event loop, so every adapter
call goes through the `Offload` pool, as in the service.
"""

import dataclasses
import logging
import os
import pathlib
import threading

import pytest

from transcript_api.captions import choose_track
from transcript_api.errors import TranscriptError
from transcript_api.offload import Offload
from transcript_api.urls import YouTubeVideo
from transcript_api.ytdlp import (
    DownloadAbortedError,
    HttpResponse,
    YoutubeDLHandle,
    YtDlp,
    YtDlpLog,
    load_yt_dlp,
)
from transcript_api_testing.fake_youtube import (
    AUDIO_BLOCK,
    AudioExt,
    FakeSubtitle,
    FakeVideo,
    FakeYouTube,
)

VID = "abcdefghijk"
VIDEO = YouTubeVideo(VID)
VTT = FakeSubtitle("vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n")
AUDIO = b"0123456789" * 1000
EXTS: list[AudioExt] = ["webm", "m4a"]


async def test_probe_reads_duration_and_tracks(
    fake_youtube: FakeYouTube, ytdlp: YtDlp, offload: Offload
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=61.5, subtitles={"en": [VTT]}))
    probe = await offload.run(ytdlp.probe, VIDEO)
    assert probe.info.id == VID
    assert probe.info.duration == 61.5
    assert list(probe.info.subtitles) == ["en"]
    assert probe.info.automatic_captions == {}


@pytest.mark.parametrize("ext", EXTS)
async def test_audio_download(
    fake_youtube: FakeYouTube,
    ytdlp: YtDlp,
    offload: Offload,
    tmp_path: pathlib.Path,
    ext: AudioExt,
) -> None:
    fake_youtube.add(FakeVideo(VID, audio=AUDIO, audio_ext=ext))
    probe = await offload.run(ytdlp.probe, VIDEO)
    path = await offload.run(ytdlp.download_audio, VIDEO, probe, tmp_path, threading.Event())
    assert path == tmp_path / f"audio.{ext}"
    assert path.read_bytes() == AUDIO
    assert fake_youtube.requests == [f"/info/{VID}", f"/audio/{VID}.{ext}"]


async def test_an_aborted_download_stops_at_its_next_block(
    fake_youtube: FakeYouTube, ytdlp: YtDlp, offload: Offload, tmp_path: pathlib.Path
) -> None:
    # the fake sends one block and holds the rest: only an abort ends this download
    fake_youtube.add(FakeVideo(VID, audio=AUDIO, hold_audio=True))
    probe = await offload.run(ytdlp.probe, VIDEO)
    abort = threading.Event()
    abort.set()
    with pytest.raises(DownloadAbortedError, match="audio download of abcdefghijk aborted"):
        await offload.run(ytdlp.download_audio, VIDEO, probe, tmp_path, abort)
    assert fake_youtube.audio_bytes_sent == AUDIO_BLOCK


@pytest.mark.parametrize(
    "video",
    [FakeVideo(VID, audio=None), FakeVideo(VID, audio=AUDIO, truncate_audio=True)],
    ids=["missing", "truncated"],
)
async def test_a_failed_audio_download(
    *,
    fake_youtube: FakeYouTube,
    ytdlp: YtDlp,
    offload: Offload,
    tmp_path: pathlib.Path,
    video: FakeVideo,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_youtube.add(video)
    probe = await offload.run(ytdlp.probe, VIDEO)
    with (
        caplog.at_level(logging.WARNING, logger="transcript_api.ytdlp"),
        pytest.raises(TranscriptError) as caught,
    ):
        await offload.run(ytdlp.download_audio, VIDEO, probe, tmp_path, threading.Event())
    assert (caught.value.code, caught.value.kind) == ("STT_DOWNLOAD_FAILED", "user")
    assert caught.value.message == "Failed to download audio for transcription"
    assert any("audio download failed for abcdefghijk" in r.getMessage() for r in caplog.records)
    assert fake_youtube.requests == [f"/info/{VID}", f"/audio/{VID}.webm"]


async def test_subtitles_that_are_not_utf8(
    fake_youtube: FakeYouTube, ytdlp: YtDlp, offload: Offload
) -> None:
    fake_youtube.add(FakeVideo(VID, subtitles={"en": [FakeSubtitle("vtt", b"WEBVTT \xff")]}))
    probe = await offload.run(ytdlp.probe, VIDEO)
    track = choose_track(probe.info, ["en"])
    assert track is not None
    with pytest.raises(TranscriptError) as caught:
        await offload.run(ytdlp.subtitles, VIDEO, track)
    assert caught.value.message.startswith(f"YouTube subtitle download failed for video {VID}")


async def test_cookies_reach_youtube(
    fake_youtube: FakeYouTube, offload: Offload, tmp_path: pathlib.Path
) -> None:
    cookies = "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tSID\tsecret\n"
    ytdlp = YtDlp(load_yt_dlp(), cookies=cookies, socket_timeout=5.0, work_dir=tmp_path)
    fake_youtube.add(FakeVideo(VID, subtitles={"en": [VTT]}))
    probe = await offload.run(ytdlp.probe, VIDEO)
    track = choose_track(probe.info, ["en"])
    assert track is not None
    assert await offload.run(ytdlp.subtitles, VIDEO, track) == VTT.content
    assert fake_youtube.cookies == ["SID=secret", "SID=secret"]
    await offload.run(ytdlp.close)
    assert await offload.run(os.listdir, tmp_path) == []


class _Handle:
    """A YoutubeDL that answers a probe with `info` (fault injection: odd yt-dlp output)."""

    def __init__(self, info: object) -> None:
        self.info = info
        self.params: dict[str, object] = {}
        self.cookiejar: object = None
        self.closed = False

    def extract_info(
        self, url: str, download: bool, ie_key: str | None = None, process: bool = True
    ) -> object:
        del url, download, ie_key, process
        return self.info

    def urlopen(self, req: str) -> HttpResponse:
        raise AssertionError(f"unexpected request {req}")

    def process_ie_result(self, ie_result: object, download: bool) -> object:
        del download
        return ie_result

    def close(self) -> None:
        self.closed = True


async def test_unexpected_info_is_an_upstream_error(tmp_path: pathlib.Path) -> None:
    handles: list[_Handle] = []

    def factory(params: dict[str, object]) -> YoutubeDLHandle:
        assert params["retries"] == 0
        handles.append(_Handle({"id": VID, "duration": "about a minute"}))
        return handles[-1]

    real = load_yt_dlp()
    module = dataclasses.replace(real, factory=factory)
    ytdlp = YtDlp(module, cookies=None, socket_timeout=1.0, work_dir=tmp_path)
    with pytest.raises(TranscriptError) as caught:
        ytdlp.probe(VIDEO)
    assert caught.value.code == "EXTERNAL_SERVICE_ERROR"
    assert caught.value.message.startswith(f"YouTube probe failed for video {VID}: ")
    ytdlp.close()
    assert [h.closed for h in handles] == [True]


def test_a_download_that_names_no_file(tmp_path: pathlib.Path) -> None:
    real = load_yt_dlp()

    def factory(params: dict[str, object]) -> YoutubeDLHandle:
        del params
        return _Handle({"id": VID, "requested_downloads": [{"filepath": None}]})

    module = dataclasses.replace(real, factory=factory)
    ytdlp = YtDlp(module, cookies=None, socket_timeout=1.0, work_dir=tmp_path)
    probe = ytdlp.probe(VIDEO)
    with pytest.raises(TranscriptError) as caught:
        ytdlp.download_audio(VIDEO, probe, tmp_path, threading.Event())
    assert caught.value.code == "STT_DOWNLOAD_FAILED"


def test_yt_dlp_messages_become_log_records(caplog: pytest.LogCaptureFixture) -> None:
    log = YtDlpLog()
    with caplog.at_level(logging.DEBUG, logger="transcript_api.ytdlp"):
        log.debug("[youtube] probing")
        log.warning("slow")
        log.error("ERROR: broken")
    records = [r for r in caplog.records if r.name == "transcript_api.ytdlp"]
    assert [(r.levelname, r.getMessage()) for r in records] == [
        ("DEBUG", "[youtube] probing"),
        ("WARNING", "slow"),
        ("WARNING", "ERROR: broken"),
    ]
