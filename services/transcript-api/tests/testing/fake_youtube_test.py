"""The fake YouTube over HTTP, and the yt-dlp plugin that claims YouTube URLs for it."""

import asyncio

import pytest

from platform_core.http_testing import http_client, json_object
from transcript_api.offload import Offload
from transcript_api.urls import YouTubeVideo
from transcript_api.ytdlp import YtDlp, load_yt_dlp
from transcript_api_testing.fake_youtube import AUDIO_BLOCK, FakeSubtitle, FakeVideo, FakeYouTube
from transcript_api_testing.youtube_ie import FakeYouTubeUnsetError

VID = "abcdefghijk"
VTT = FakeSubtitle("vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n")
BROKEN = FakeSubtitle("srt", "", status=500)


async def test_info_names_the_fakes_own_urls(fake_youtube: FakeYouTube) -> None:
    fake_youtube.add(
        FakeVideo(VID, duration=3.0, audio=b"abc", audio_ext="m4a", subtitles={"en": [VTT]})
    )
    async with http_client(fake_youtube.base_url) as client:
        info = json_object(await client.get(f"/info/{VID}"))
        assert info["duration"] == 3.0
        assert info["formats"] == [
            {
                "format_id": "140",
                "url": f"{fake_youtube.base_url}/audio/{VID}.m4a",
                "ext": "m4a",
                "acodec": "mp4a.40.2",
                "vcodec": "none",
                "protocol": "http",
            }
        ]
        assert info["subtitles"] == {
            "en": [{"ext": "vtt", "url": f"{fake_youtube.base_url}/subs/{VID}/manual/en/0.vtt"}]
        }
        audio = await client.get(f"/audio/{VID}.m4a")
        assert (audio.content, audio.headers["content-type"]) == (b"abc", "audio/mp4")
        assert fake_youtube.audio_bytes_sent == 3
        sub = await client.get(f"/subs/{VID}/manual/en/0.vtt")
        assert (sub.text, sub.headers["content-type"]) == (VTT.content, "text/vtt; charset=utf-8")


async def test_what_is_not_there_is_404(fake_youtube: FakeYouTube) -> None:
    fake_youtube.add(FakeVideo(VID, automatic_captions={"en": [BROKEN]}))
    async with http_client(fake_youtube.base_url) as client:
        assert (await client.get("/info/unknown0000")).status_code == 404
        assert (await client.get(f"/audio/{VID}.webm")).status_code == 404
        assert (await client.get(f"/subs/{VID}/manual/en/0.vtt")).status_code == 404
        assert (await client.get("/subs/unknown0000/auto/en/0.vtt")).status_code == 404
        assert (await client.get(f"/subs/{VID}/auto/en/1.srt")).status_code == 404
        assert (await client.get(f"/subs/{VID}/auto/en/0.srt")).status_code == 500
    assert fake_youtube.requests[0] == "/info/unknown0000"
    assert fake_youtube.cookies == [None] * 6


async def test_latency_and_truncated_audio(fake_youtube: FakeYouTube) -> None:
    fake_youtube.latency_s = 0.05
    fake_youtube.add(FakeVideo(VID, audio=b"0123456789", truncate_audio=True))
    async with http_client(fake_youtube.base_url) as client:
        with pytest.raises(Exception, match="peer closed connection"):
            await client.get(f"/audio/{VID}.webm")


async def test_held_audio_waits_after_its_first_block(fake_youtube: FakeYouTube) -> None:
    audio = bytes(range(256)) * 10
    fake_youtube.add(FakeVideo(VID, audio=audio, hold_audio=True))
    async with http_client(fake_youtube.base_url) as client:
        fetch = asyncio.create_task(client.get(f"/audio/{VID}.webm"))
        await fake_youtube.audio_started.wait()
        assert fake_youtube.audio_bytes_sent == AUDIO_BLOCK
        assert not fetch.done()
        fake_youtube.audio_release.set()
        response = await fetch
    assert response.content == audio
    assert response.headers["content-length"] == str(len(audio))
    assert fake_youtube.audio_bytes_sent == len(audio)


async def test_the_plugin_answers_youtube_urls_from_the_fake(fake_youtube: FakeYouTube) -> None:
    fake_youtube.add(FakeVideo(VID, duration=12.0))
    offload = Offload(1, "plugin-test")
    ytdlp = YtDlp(load_yt_dlp(), cookies=None, socket_timeout=5.0, work_dir=None)
    try:
        probe = await offload.run(ytdlp.probe, YouTubeVideo(VID))
    finally:
        await offload.close()
    assert (probe.info.id, probe.info.duration) == (VID, 12.0)
    assert fake_youtube.requests == [f"/info/{VID}"]


def test_the_plugin_needs_the_fake_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRANSCRIPT_FAKE_YOUTUBE_URL", raising=False)
    ytdlp = YtDlp(load_yt_dlp(), cookies=None, socket_timeout=5.0, work_dir=None)
    with pytest.raises(FakeYouTubeUnsetError, match="set TRANSCRIPT_FAKE_YOUTUBE_URL"):
        ytdlp.probe(YouTubeVideo(VID))
