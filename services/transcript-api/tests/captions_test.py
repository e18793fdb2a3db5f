"""Captions through the real yt-dlp and the fake YouTube: track choice, errors, cleanup."""

import pathlib

import pytest

from transcript_api.captions import Captions, choose_track
from transcript_api.errors import TranscriptError
from transcript_api.offload import Offload
from transcript_api.urls import YouTubeVideo
from transcript_api.ytdlp import CaptionTrack, VideoInfo, YtDlp
from transcript_api_testing.fake_youtube import FakeSubtitle, FakeVideo, FakeYouTube

VID = "abcdefghijk"
EN_VTT = FakeSubtitle("vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHello <b>world</b>\n")
DE_SRT = FakeSubtitle("srt", "1\n00:00:00,000 --> 00:00:01,000\nHallo Welt\n")
FR_VTT = FakeSubtitle("vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n")
AUTO_EN = FakeSubtitle("vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nauto english\n")
AUTO_DE = FakeSubtitle("vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nauto deutsch\n")


def fmt(ext: str, lang: str) -> dict[str, str]:
    return {"ext": ext, "url": f"http://x/{lang}.{ext}"}


def info(
    manual: dict[str, list[str]] | None = None, auto: dict[str, list[str]] | None = None
) -> VideoInfo:
    subtitles = {k: [fmt(e, k) for e in exts] for k, exts in (manual or {}).items()}
    automatic = {k: [fmt(e, k) for e in exts] for k, exts in (auto or {}).items()}
    raw: dict[str, object] = {"id": VID, "subtitles": subtitles, "automatic_captions": automatic}
    return VideoInfo.model_validate(raw)


def track(lang: str, ext: str = "vtt", *, automatic: bool = False) -> CaptionTrack:
    return CaptionTrack(lang=lang, automatic=automatic, ext=ext, url=f"http://x/{lang}.{ext}")


@pytest.mark.parametrize(
    ("video", "preferred", "expected"),
    [
        (info({"de": ["vtt"], "en": ["vtt"]}), ["en"], track("en")),
        (info({"de": ["vtt"], "fr": ["srt"]}), ["en", "fr"], track("fr", "srt")),
        (info({"de": ["vtt"]}, {"en": ["vtt"]}), ["en"], track("de")),
        (
            info({"": ["vtt"], "live_chat": ["vtt"]}, {"en": ["vtt"]}),
            ["en"],
            track("en", automatic=True),
        ),
        (info({"en": []}, {"de": ["vtt"], "en": ["vtt"]}), ["en"], track("en", automatic=True)),
        (info({}, {"de": ["vtt"], "fr": ["vtt"]}), ["en"], track("de", automatic=True)),
        (info({"en": ["json3", "srt", "vtt"]}), ["en"], track("en")),
        (
            info({"en": ["json3", "ttml"]}, {"de": ["srv3", "srt"]}),
            ["en"],
            track("de", "srt", automatic=True),
        ),
        (info({"en": ["json3"]}), ["en"], None),
        (info(), ["en"], None),
    ],
)
def test_track_choice(
    video: VideoInfo, preferred: list[str], expected: CaptionTrack | None
) -> None:
    assert choose_track(video, preferred) == expected


@pytest.fixture()
def captions(ytdlp: YtDlp, offload: Offload) -> Captions:
    return Captions(ytdlp=ytdlp, offload=offload)


async def test_manual_vtt_in_a_preferred_language(
    fake_youtube: FakeYouTube, captions: Captions, ytdlp: YtDlp
) -> None:
    fake_youtube.add(
        FakeVideo(
            VID, subtitles={"de": [DE_SRT], "en": [EN_VTT]}, automatic_captions={"en": [AUTO_EN]}
        )
    )
    assert await captions.text(YouTubeVideo(VID), ["en"]) == "Hello world"
    assert fake_youtube.requests == [f"/info/{VID}", f"/subs/{VID}/manual/en/0.vtt"]
    assert ytdlp.work_dir is not None
    assert list(ytdlp.work_dir.iterdir()) == []


async def test_srt_when_that_is_all_there_is(fake_youtube: FakeYouTube, captions: Captions) -> None:
    fake_youtube.add(FakeVideo(VID, subtitles={"de": [DE_SRT]}))
    assert await captions.text(YouTubeVideo(VID), ["en", "de"]) == "Hallo Welt"


async def test_automatic_captions_after_manual_ones(
    fake_youtube: FakeYouTube, captions: Captions
) -> None:
    fake_youtube.add(FakeVideo(VID, automatic_captions={"de": [AUTO_DE], "en": [AUTO_EN]}))
    assert await captions.text(YouTubeVideo(VID), ["en"]) == "auto english"


async def test_no_captions_is_transcript_unavailable(
    fake_youtube: FakeYouTube, captions: Captions
) -> None:
    fake_youtube.add(FakeVideo(VID))
    with pytest.raises(TranscriptError) as caught:
        await captions.text(YouTubeVideo(VID), ["en"])
    assert caught.value.code == "TRANSCRIPT_UNAVAILABLE"
    assert caught.value.kind == "user"
    assert caught.value.message == f"No captions available for video {VID}"


async def test_a_track_that_fails_to_download(
    fake_youtube: FakeYouTube, captions: Captions
) -> None:
    fake_youtube.add(FakeVideo(VID, subtitles={"en": [FakeSubtitle("vtt", "", status=404)]}))
    with pytest.raises(TranscriptError) as caught:
        await captions.text(YouTubeVideo(VID), ["en"])
    assert (caught.value.code, caught.value.kind) == ("EXTERNAL_SERVICE_ERROR", "system")
    assert "HTTP Error 404" in caught.value.message
    assert caught.value.message.startswith(f"YouTube subtitle download failed for video {VID}: ")


async def test_malformed_captions_are_an_upstream_error(
    fake_youtube: FakeYouTube, captions: Captions
) -> None:
    bad = FakeSubtitle("vtt", "WEBVTT\n\n00:00 --> 00:01\nx\n")
    fake_youtube.add(FakeVideo(VID, subtitles={"en": [bad]}))
    with pytest.raises(TranscriptError) as caught:
        await captions.text(YouTubeVideo(VID), ["en"])
    assert caught.value.code == "EXTERNAL_SERVICE_ERROR"
    assert caught.value.kind == "system"
    assert "invalid subtitle timestamp" in caught.value.message


async def test_an_unknown_video_is_an_upstream_error(
    fake_youtube: FakeYouTube, captions: Captions
) -> None:
    with pytest.raises(TranscriptError) as caught:
        await captions.text(YouTubeVideo(VID), ["en"])
    assert caught.value.code == "EXTERNAL_SERVICE_ERROR"
    assert caught.value.message.startswith(f"YouTube probe failed for video {VID}: ")
    assert "404" in caught.value.message


def test_work_dir_left_clean(tmp_path: pathlib.Path) -> None:
    assert tmp_path.exists()
