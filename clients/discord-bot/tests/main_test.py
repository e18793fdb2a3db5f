"""Settings validated at start, and the bot process end to end (real Redis, fake Discord)."""

import asyncio
import io
import os
import runpy
import signal
import threading

import pytest

from discord_bot.main import EXIT_BAD_CONFIG, EXIT_OK, main, run
from discord_bot.rest import DiscordApiError
from discord_bot.settings import DEFAULT_DOMAINS, load_bot_settings
from discord_bot_testing import FakeDiscord
from platform_core.async_events import EventPublisher, JobCompleted
from platform_core.config import ConfigError
from platform_core.http_testing import running_server
from platform_workers.async_redis import RedisClient

TOKEN = "test-token"  # as in conftest.py


def test_settings(redis_url: str) -> None:
    settings = load_bot_settings(
        {"DISCORD_TOKEN": "abc", "REDIS_URL": redis_url, "DISCORD_API_URL": "http://h:1/api/"}
    )
    assert settings.notify_domains == DEFAULT_DOMAINS
    assert settings.api_base == "http://h:1/api"
    assert settings.result_url is None
    with pytest.raises(ConfigError) as missing:
        load_bot_settings({})
    assert "DISCORD_TOKEN" in str(missing.value)
    assert "REDIS_URL" in str(missing.value)
    bad = {"DISCORD_TOKEN": "Bot abc", "REDIS_URL": redis_url, "NOTIFY_DOMAINS": "qr,Bad:x"}
    with pytest.raises(ConfigError) as invalid:
        load_bot_settings(bad)
    assert "NOTIFY_DOMAINS" in str(invalid.value)
    assert "DISCORD_TOKEN" in str(invalid.value)


async def shown(fake: FakeDiscord, user_id: int, text: str) -> None:
    for _ in range(200):
        if any(text in message.content for message in fake.messages_of(user_id)):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{text!r} never shown to {user_id}")


async def test_runs_until_stopped(redis: RedisClient, redis_url: str, fake: FakeDiscord) -> None:
    async with running_server(fake.app()) as server:
        settings = load_bot_settings(
            {
                "DISCORD_TOKEN": TOKEN,
                "REDIS_URL": redis_url,
                "DISCORD_API_URL": f"{server.url}/api/v10",
                "NOTIFY_DOMAINS": "qr",
                "RESULT_URL": "http://files/{result_id}",
            }
        )
        stop = asyncio.Event()
        running = asyncio.create_task(run(settings, stop=stop))
        await asyncio.sleep(0.3)
        await EventPublisher(redis).publish(
            JobCompleted(domain="qr", job_id="j", user_id=11, result_id="f", result_bytes=1)
        )
        await shown(fake, 11, "http://files/f")
        await asyncio.sleep(0.2)
        stop.set()
        await asyncio.wait_for(running, 5)


async def test_a_notifier_failure_ends_the_run(
    redis: RedisClient, redis_url: str, fake: FakeDiscord
) -> None:
    async with running_server(fake.app()) as server:
        settings = load_bot_settings(
            {
                "DISCORD_TOKEN": "wrong",
                "REDIS_URL": redis_url,
                "DISCORD_API_URL": f"{server.url}/api/v10",
                "NOTIFY_DOMAINS": "qr",
            }
        )
        running = asyncio.create_task(run(settings))
        await asyncio.sleep(0.3)
        await EventPublisher(redis).publish(
            JobCompleted(domain="qr", job_id="j", user_id=11, result_id="f", result_bytes=1)
        )
        with pytest.raises(ExceptionGroup) as failed:
            await asyncio.wait_for(running, 5)
    assert failed.group_contains(DiscordApiError, match="HTTP 401")


def test_main(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    err = io.StringIO()
    assert main({}, err) == EXIT_BAD_CONFIG
    assert err.getvalue().startswith("discord-bot: cannot start: ")
    environ = {"DISCORD_TOKEN": TOKEN, "REDIS_URL": redis_url, "DISCORD_API_URL": "http://x"}
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    assert main(environ) == EXIT_OK
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("discord_bot", run_name="__main__")
    assert exited.value.code == EXIT_BAD_CONFIG
