"""Fixtures for the test-support tests: the fakes on loopback, a private Redis."""

from collections.abc import AsyncIterator

import pytest

from platform_core.http_testing import running_server
from platform_workers.testing.pytest_plugin import redis_server, redis_url
from transcript_api_testing.fake_openai import FakeOpenAI
from transcript_api_testing.fake_youtube import FAKE_YOUTUBE_ENV, FakeYouTube

__all__ = ["redis_server", "redis_url"]


@pytest.fixture()
async def fake_youtube(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeYouTube]:
    """A running fake YouTube, named in the environment for the yt-dlp plugin."""
    fake = FakeYouTube()
    async with running_server(fake.app, grace_s=1.0) as server:
        monkeypatch.setenv(FAKE_YOUTUBE_ENV, server.url)
        fake.base_url = server.url
        yield fake


@pytest.fixture()
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    """A running fake OpenAI transcription API."""
    fake = FakeOpenAI()
    async with running_server(fake.app, grace_s=1.0) as server:
        fake.base_url = f"{server.url}/v1"
        yield fake
