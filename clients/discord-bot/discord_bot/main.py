"""The bot process: `bazel run //clients/discord-bot:bot` (settings: `discord_bot.settings`).

Runs the notifier until SIGTERM or SIGINT; the state it keeps in Redis lets the next
start resume where this one stopped. Exit status 2 when the environment is invalid.
"""

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Mapping
from typing import TextIO

from discord_bot.cancel import cancel_and_wait
from discord_bot.notifier import Notifier
from discord_bot.rest import DiscordRest
from discord_bot.settings import BotSettings, load_bot_settings
from platform_core.config import ConfigError
from platform_core.http_client import open_http
from platform_core.logging import configure_logging, log_fields
from platform_workers.async_redis import open_redis

__all__ = ["EXIT_BAD_CONFIG", "EXIT_OK", "SERVICE", "main", "run"]

SERVICE = "discord-bot"
EXIT_OK = 0
EXIT_BAD_CONFIG = 2
USER_AGENT = "DiscordBot (https://github.com/platform, 1.0) platform-notifier"

logger = logging.getLogger(__name__)


async def run(settings: BotSettings, *, stop: asyncio.Event | None = None) -> None:
    """Notify until `stop` is set (SIGTERM and SIGINT set it too)."""
    stopped = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    headers = {"Authorization": f"Bot {settings.discord_token}", "User-Agent": USER_AGENT}
    try:
        async with (
            open_redis(settings.redis_url) as redis,
            open_http(
                settings.api_base, timeout_s=settings.discord_timeout_s, headers=headers
            ) as session,
        ):
            notifier = Notifier(
                redis,
                DiscordRest(session),
                domains=settings.notify_domains,
                result_url=settings.result_url,
            )
            notifying = asyncio.create_task(notifier.run())
            waiting = asyncio.create_task(stopped.wait())
            await asyncio.wait({notifying, waiting}, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            await cancel_and_wait(notifying)
            if not notifying.cancelled():
                notifying.result()  # the notifier failed: raise why
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def main(environ: Mapping[str, str] = os.environ, err: TextIO = sys.stderr) -> int:
    """Run the bot; the exit status."""
    try:
        settings = load_bot_settings(environ)
    except ConfigError as exc:
        err.write(f"{SERVICE}: cannot start: {exc}\n")
        return EXIT_BAD_CONFIG
    with configure_logging(service=SERVICE, level=settings.log_level, fmt=settings.log_format):
        logger.info("notifying", extra=log_fields(domains=",".join(settings.notify_domains)))
        asyncio.run(run(settings))
    return EXIT_OK
