"""The bot's settings, from the environment, validated at start (`load_bot_settings`).

`DISCORD_TOKEN` (required; the bot token, without the `Bot ` prefix), `REDIS_URL`
(required), `DISCORD_API_URL` (default `https://discord.com/api/v10`; tests point it at
the fake), `NOTIFY_DOMAINS` (default `turkic,transcript,qr,databank,digits,trainer`: the
streams whose job events become DMs), `RESULT_URL` (optional: a link for completed jobs,
`{result_id}` replaced by the result's id, e.g. a data-bank download URL),
`DISCORD_TIMEOUT_S` (10), `LOG_LEVEL` (INFO), `LOG_FORMAT` (`json` or `text`).
"""

from collections.abc import Mapping
from typing import Literal

from pydantic import AnyHttpUrl, Field, field_validator

from platform_core.async_events import check_domain
from platform_core.config import CommaList, LogLevel, RedisSettings, load_settings

__all__ = ["DEFAULT_DOMAINS", "BotSettings", "load_bot_settings"]

DEFAULT_DOMAINS = ("turkic", "transcript", "qr", "databank", "digits", "trainer")


class BotSettings(RedisSettings):
    """What the bot reads from the environment."""

    discord_token: str = Field(min_length=1, description="the bot token (no 'Bot ' prefix)")
    discord_api_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("https://discord.com/api/v10"), description="Discord's REST base URL"
    )
    notify_domains: CommaList = Field(default=DEFAULT_DOMAINS, min_length=1)
    result_url: str | None = Field(default=None, description="link template: {result_id}")
    discord_timeout_s: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    log_level: LogLevel = "INFO"
    log_format: Literal["json", "text"] = "json"

    @field_validator("discord_token")
    @classmethod
    def _bare_token(cls, token: str) -> str:
        if token.startswith("Bot "):
            raise ValueError("give the token without its 'Bot ' prefix")
        return token

    @field_validator("notify_domains")
    @classmethod
    def _domains(cls, domains: tuple[str, ...]) -> tuple[str, ...]:
        for domain in domains:
            check_domain(domain)
        return domains

    @property
    def api_base(self) -> str:
        """`discord_api_url` without a trailing slash."""
        return str(self.discord_api_url).rstrip("/")


def load_bot_settings(environ: Mapping[str, str]) -> BotSettings:
    """The settings, or `ConfigError` naming every missing or malformed variable."""
    return load_settings(BotSettings, environ)
