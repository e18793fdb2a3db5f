"""The STT pipeline end to end in-process: real yt-dlp, ffmpeg and OpenAI SDK against the
fake YouTube and the fake OpenAI API."""

import asyncio
import os
import pathlib
import tempfile
from collections.abc import AsyncIterator
from typing import Protocol

import pytest

from transcript_api.chunking import Chunker, ChunkLimits
from transcript_api.errors import TranscriptError
from transcript_api.offload import Offload
from transcript_api.stt import SttLimits, SttPipeline, checked_duration
from transcript_api.urls import YouTubeVideo
from transcript_api.whisper import RetryPolicy, Whisper, make_openai_client
from transcript_api.ytdlp import DownloadAbortedError, YtDlp
from transcript_api_testing.audio import make_audio, silence, tone
from transcript_api_testing.fake_openai import FakeOpenAI, server_error, slow
from transcript_api_testing.fake_youtube import FakeVideo, FakeYouTube

VID = "abcdefghijk"
VIDEO = YouTubeVideo(VID)
FOUR_TONES = [tone(1), silence(1), tone(1, 550), silence(1), tone(1, 660), silence(1), tone(1, 770)]


class Build(Protocol):
    def __call__(
        self,
        *,
        max_video_seconds: int = 0,
        max_file_mb: float = 0.0,
        chunking: bool = True,
        chunk_threshold_mb: float = 0.0,
        max_concurrent_chunks: int = 3,
        max_chunk_s: float = 600.0,
        retries: int = 0,
    ) -> SttPipeline: ...


class Progress:
    """Records each progress report."""

    def __init__(self) -> None:
        self.reports: list[tuple[int, str]] = []

    async def __call__(self, percent: int, message: str) -> None:
        self.reports.append((percent, message))


@pytest.fixture()
async def four_tones(tmp_path: pathlib.Path) -> bytes:
    path = await make_audio(tmp_path / "four.webm", FOUR_TONES)
    return path.read_bytes()


@pytest.fixture()
async def build(fake_openai: FakeOpenAI, ytdlp: YtDlp, offload: Offload) -> AsyncIterator[Build]:
    client = make_openai_client("sk-test", fake_openai.base_url, 30.0)

    async def read_file(path: pathlib.Path) -> bytes:
        return await offload.run(path.read_bytes)

    def make(
        *,
        max_video_seconds: int = 0,
        max_file_mb: float = 0.0,
        chunking: bool = True,
        chunk_threshold_mb: float = 0.0,
        max_concurrent_chunks: int = 3,
        max_chunk_s: float = 600.0,
        retries: int = 0,
    ) -> SttPipeline:
        whisper = Whisper(client, timeout_s=30.0, retries=RetryPolicy(retries), read_file=read_file)
        chunk_limits = ChunkLimits(
            target_mb=100.0, max_duration_s=max_chunk_s, silence_db=-40.0, silence_s=0.5
        )
        limits = SttLimits(
            max_video_seconds=max_video_seconds,
            max_file_mb=max_file_mb,
            chunking=chunking,
            chunk_threshold_mb=chunk_threshold_mb,
            max_concurrent_chunks=max_concurrent_chunks,
        )
        return SttPipeline(
            ytdlp=ytdlp,
            offload=offload,
            chunker=Chunker(chunk_limits, timeout_s=60.0),
            stt=whisper,
            limits=limits,
        )

    yield make
    await client.close()


async def leftovers(ytdlp: YtDlp, offload: Offload) -> list[str]:
    assert ytdlp.work_dir is not None
    return await offload.run(os.listdir, ytdlp.work_dir)


async def test_a_short_video_is_one_whisper_call(
    *,
    build: Build,
    fake_youtube: FakeYouTube,
    fake_openai: FakeOpenAI,
    speech_webm: bytes,
    ytdlp: YtDlp,
    offload: Offload,
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=8.0, audio=speech_webm))
    pipeline = build()
    progress = Progress()
    probed = await pipeline.probe(VIDEO)
    result = await pipeline.transcribe(probed, progress)
    assert result.video_id == VID
    assert result.text == "tone 2s tone 3s tone 1s"
    assert progress.reports == [
        (10, "downloading audio"),
        (40, "transcribing 1 chunk(s)"),
        (90, "transcribed 1/1 chunks"),
    ]
    assert [u.filename for u in fake_openai.uploads] == ["audio.webm"]
    assert await leftovers(ytdlp, offload) == []


async def test_a_long_video_is_split_at_silences_and_merged(
    *,
    build: Build,
    fake_youtube: FakeYouTube,
    fake_openai: FakeOpenAI,
    four_tones: bytes,
    ytdlp: YtDlp,
    offload: Offload,
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=7.0, audio=four_tones))
    fake_openai.script.extend([slow(0.3), slow(0.3), slow(0.3)])
    pipeline = build(max_chunk_s=2.5, max_concurrent_chunks=2)
    progress = Progress()
    result = await pipeline.transcribe(await pipeline.probe(VIDEO), progress)
    assert result.text == "tone 1s tone 1s tone 1s tone 1s"
    assert [s.start for s in result.segments] == pytest.approx([0.0, 2.0, 4.0, 6.0], abs=0.06)
    assert [s.end for s in result.segments] == pytest.approx([1.0, 3.0, 5.0, 7.0], abs=0.06)
    assert sorted(u.filename for u in fake_openai.uploads) == [
        "chunk_000.webm",
        "chunk_001.webm",
        "chunk_002.webm",
    ]
    assert fake_openai.max_in_flight == 2
    assert progress.reports[:3] == [
        (10, "downloading audio"),
        (30, "splitting audio"),
        (40, "transcribing 3 chunk(s)"),
    ]
    assert progress.reports[3:] == [
        (56, "transcribed 1/3 chunks"),
        (73, "transcribed 2/3 chunks"),
        (90, "transcribed 3/3 chunks"),
    ]
    assert await leftovers(ytdlp, offload) == []


async def test_audio_over_the_threshold_is_chunked(
    build: Build, fake_youtube: FakeYouTube, fake_openai: FakeOpenAI, four_tones: bytes
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=7.0, audio=four_tones))
    pipeline = build(chunk_threshold_mb=0.001)
    progress = Progress()
    result = await pipeline.transcribe(await pipeline.probe(VIDEO), progress)
    assert (30, "splitting audio") in progress.reports
    assert result.text == "tone 1s tone 1s tone 1s tone 1s"
    assert [u.filename for u in fake_openai.uploads] == ["audio.webm"]


async def test_over_the_upload_limit_with_chunking_off(
    build: Build, fake_youtube: FakeYouTube, fake_openai: FakeOpenAI, four_tones: bytes
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=7.0, audio=four_tones))
    pipeline = build(max_file_mb=0.001, chunking=False)
    with pytest.raises(TranscriptError) as caught:
        await pipeline.transcribe(await pipeline.probe(VIDEO), Progress())
    assert (caught.value.code, caught.value.kind) == ("STT_CHUNKING_DISABLED", "user")
    assert caught.value.message == (
        "Downloaded audio is too large for STT and chunking is disabled."
    )
    assert fake_openai.attempts == 0


async def test_chunking_off_sends_long_audio_whole(
    build: Build, fake_youtube: FakeYouTube, fake_openai: FakeOpenAI, four_tones: bytes
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=7.0, audio=four_tones))
    pipeline = build(chunking=False, max_chunk_s=1.0, max_file_mb=10.0)
    result = await pipeline.transcribe(await pipeline.probe(VIDEO), Progress())
    assert result.text == "tone 1s tone 1s tone 1s tone 1s"
    assert [u.filename for u in fake_openai.uploads] == ["audio.webm"]


async def test_over_the_upload_limit_with_chunking_on(
    build: Build, fake_youtube: FakeYouTube, fake_openai: FakeOpenAI, four_tones: bytes
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=7.0, audio=four_tones))
    pipeline = build(max_file_mb=0.001, max_chunk_s=2.5)
    await pipeline.transcribe(await pipeline.probe(VIDEO), Progress())
    assert len(fake_openai.uploads) == 3


async def test_a_failed_chunk_fails_the_transcription_and_cleans_up(
    *,
    build: Build,
    fake_youtube: FakeYouTube,
    fake_openai: FakeOpenAI,
    four_tones: bytes,
    ytdlp: YtDlp,
    offload: Offload,
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=7.0, audio=four_tones))
    fake_openai.script.extend([server_error()])
    pipeline = build(max_chunk_s=2.5, max_concurrent_chunks=1)
    with pytest.raises(TranscriptError) as caught:
        await pipeline.transcribe(await pipeline.probe(VIDEO), Progress())
    assert caught.value.message.startswith("speech-to-text request failed with HTTP 500")
    assert fake_openai.attempts == 1
    assert await leftovers(ytdlp, offload) == []


async def test_a_cancelled_transcription_stops_its_download_and_cleans_up(
    *,
    build: Build,
    fake_youtube: FakeYouTube,
    four_tones: bytes,
    ytdlp: YtDlp,
    offload: Offload,
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=7.0, audio=four_tones, hold_audio=True))
    pipeline = build()
    probed = await pipeline.probe(VIDEO)
    progress = Progress()
    job = asyncio.create_task(pipeline.transcribe(probed, progress))
    await fake_youtube.audio_started.wait()
    job.cancel()
    await asyncio.sleep(0)
    assert not job.done()  # waiting for the download's thread
    fake_youtube.audio_release.set()  # yt-dlp reads on, and its progress hook aborts
    with pytest.raises(asyncio.CancelledError) as caught:
        await job
    assert isinstance(caught.value.__cause__, DownloadAbortedError)
    assert progress.reports == [(10, "downloading audio")]
    assert await leftovers(ytdlp, offload) == []


async def test_the_system_temp_dir_serves_when_no_work_dir_is_set(
    *,
    build: Build,
    fake_youtube: FakeYouTube,
    fake_openai: FakeOpenAI,
    four_tones: bytes,
    ytdlp: YtDlp,
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=7.0, audio=four_tones))
    ytdlp.work_dir = None
    pipeline = build()
    result = await pipeline.transcribe(await pipeline.probe(VIDEO), Progress())
    assert result.video_id == VID
    assert len(fake_openai.uploads) == 1
    assert [name for name in os.listdir(tempfile.gettempdir()) if name.startswith("ytstt_")] == []


async def test_a_work_dir_that_cannot_be_made_fails_the_transcription(
    build: Build, fake_youtube: FakeYouTube, four_tones: bytes, ytdlp: YtDlp
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=7.0, audio=four_tones))
    assert ytdlp.work_dir is not None
    ytdlp.work_dir = ytdlp.work_dir / "missing"
    pipeline = build()
    with pytest.raises(FileNotFoundError):
        await pipeline.transcribe(await pipeline.probe(VIDEO), Progress())
    assert fake_youtube.requests == [f"/info/{VID}"]


@pytest.mark.parametrize("duration", [None, 0.0, 0.4, -3.0])
async def test_no_duration(build: Build, fake_youtube: FakeYouTube, duration: float | None) -> None:
    fake_youtube.add(FakeVideo(VID, duration=duration))
    with pytest.raises(TranscriptError) as caught:
        await build().probe(VIDEO)
    assert (caught.value.code, caught.value.kind) == ("STT_DURATION_UNKNOWN", "user")
    assert caught.value.message == "Unable to determine video duration for transcription."


async def test_too_long(build: Build, fake_youtube: FakeYouTube) -> None:
    fake_youtube.add(FakeVideo(VID, duration=601.0))
    with pytest.raises(TranscriptError) as caught:
        await build(max_video_seconds=600).probe(VIDEO)
    assert (caught.value.code, caught.value.kind) == ("STT_TOO_LONG", "user")
    assert caught.value.message == "Video is too long for STT (>600 seconds)."


@pytest.mark.parametrize(
    ("duration", "limit", "seconds"), [(600.9, 600, 600), (86_400.0, 0, 86_400), (1.5, 1, 1)]
)
def test_zero_means_unlimited(duration: float, limit: int, seconds: int) -> None:
    assert checked_duration(duration, limit) == seconds
