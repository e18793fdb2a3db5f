"""Shared fixtures: fake YouTube (real yt-dlp reaches it through the test plugin), fake
OpenAI, generated audio, and a private Redis."""

import asyncio
import pathlib
from collections.abc import AsyncIterator
from typing import Protocol

import pytest
from pydantic import SecretStr

from platform_core.http_testing import running_server
from platform_workers.testing.pytest_plugin import redis_server, redis_url
from transcript_api.offload import Offload
from transcript_api.settings import TranscriptSettings
from transcript_api.ytdlp import YtDlp, load_yt_dlp
from transcript_api_testing.audio import make_audio, silence, tone
from transcript_api_testing.fake_openai import FakeOpenAI
from transcript_api_testing.fake_youtube import FAKE_YOUTUBE_ENV, FakeYouTube

__all__ = ["redis_server", "redis_url"]


@pytest.fixture()
async def fake_youtube(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeYouTube]:
    """A running fake YouTube that the yt-dlp plugin in this process talks to."""
    fake = FakeYouTube()
    async with running_server(fake.app, grace_s=1.0) as server:
        monkeypatch.setenv(FAKE_YOUTUBE_ENV, server.url)
        yield fake


@pytest.fixture()
async def offload() -> AsyncIterator[Offload]:
    """A small thread pool for blocking calls."""
    pool = Offload(4, "test-offload")
    yield pool
    await pool.close()


@pytest.fixture()
def ytdlp(tmp_path: pathlib.Path) -> YtDlp:
    """The real yt-dlp adapter, scratch files under the test's tmp dir."""
    work = tmp_path / "work"
    work.mkdir()
    return YtDlp(load_yt_dlp(), cookies=None, socket_timeout=5.0, work_dir=work)


@pytest.fixture(scope="session")
def speech_webm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """8 s of Opus audio: tones of 2, 3 and 1 s with 1 s silences between them."""
    path = tmp_path_factory.mktemp("audio") / "speech.webm"
    pieces = [tone(2), silence(1), tone(3, 660), silence(1), tone(1, 880)]
    asyncio.run(make_audio(path, pieces))
    return path.read_bytes()


@pytest.fixture()
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    """A running fake OpenAI transcription API; its `base_url` attribute is set."""
    fake = FakeOpenAI()
    async with running_server(fake.app, grace_s=1.0) as server:
        fake.base_url = f"{server.url}/v1"
        yield fake


class MakeSettings(Protocol):
    """Builds the settings under test, with the limits a test needs."""

    def __call__(self, *, max_video_seconds: int = 0) -> TranscriptSettings: ...


@pytest.fixture()
def make_settings(redis_url: str, fake_openai: FakeOpenAI, tmp_path: pathlib.Path) -> MakeSettings:
    """Settings for the app and worker under test: real Redis, the fakes, a private work dir."""
    work = tmp_path / "service-work"
    work.mkdir()

    def make(*, max_video_seconds: int = 0) -> TranscriptSettings:
        return TranscriptSettings(
            redis_url=redis_url,
            openai_api_key=SecretStr("sk-test"),
            openai_base_url=fake_openai.base_url,
            transcript_work_dir=str(work),
            transcript_redis_timeout_seconds=2.0,
            transcript_ytdlp_socket_timeout_seconds=5.0,
            transcript_stt_timeout_seconds=10.0,
            transcript_max_video_seconds=max_video_seconds,
            transcript_ytdlp_concurrency=2,
        )

    return make


@pytest.fixture()
def settings(make_settings: MakeSettings) -> TranscriptSettings:
    """The default settings under test."""
    return make_settings()
