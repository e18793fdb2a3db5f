"""The settings every service shares, defined once."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from platform_core.config.types import LogLevel, Port, RedisUrl


class ServiceSettings(BaseModel):
    """What every HTTP service reads: bind address, port, logging, shutdown grace.

    `HOST` (default `0.0.0.0`), `PORT` (a service overrides the default with its own
    port), `LOG_LEVEL` (INFO), `LOG_FORMAT` (`json` or `text`), `INSTANCE_ID` (default
    `<hostname>-<pid>`), `SHUTDOWN_GRACE_S` (20: how long in-flight requests may finish
    after SIGTERM).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(default="0.0.0.0", description="address to bind")
    port: Port = Field(default=8000, description="TCP port (0-65535)")
    log_level: LogLevel = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR")
    log_format: Literal["json", "text"] = Field(default="json", description="json or text")
    instance_id: str | None = Field(default=None, description="name of this replica in logs")
    shutdown_grace_s: float = Field(
        default=20.0,
        gt=0,
        allow_inf_nan=False,
        description="seconds in-flight requests get after SIGTERM",
    )


class RedisSettings(BaseModel):
    """`REDIS_URL` (required): for services and workers that use Redis."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    redis_url: RedisUrl = Field(description="a redis:// or rediss:// URL")
