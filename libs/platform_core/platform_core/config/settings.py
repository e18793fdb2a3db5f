"""The settings every service shares, defined once."""

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from platform_core.config.loader import env_var_name
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


class ApiKeySettings(BaseModel):
    """One API key for a service's protected routes, or the explicit choice to run open.

    `API_KEY`: the key every protected route needs (`X-API-Key`). `API_KEY_ENABLED`
    (default `true`): `false` runs the service without checking any key, an explicit
    choice that the app logs as a warning at startup. With the check enabled, a missing
    (or blank) `API_KEY` stops startup: an empty key never silently switches auth off.
    A service renames the variables by redeclaring the fields with an alias
    (`api_key: str | None = Field(default=None, alias="SECURITY__API_KEY")`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: str | None = Field(default=None, description="the key protected routes need")
    api_key_enabled: bool = Field(
        default=True, description="true, or false to run without checking API keys"
    )

    @model_validator(mode="after")
    def _key_or_explicitly_open(self) -> Self:
        if self.api_key_enabled and (self.api_key is None or not self.api_key.strip()):
            key = env_var_name(type(self), "api_key")
            switch = env_var_name(type(self), "api_key_enabled")
            raise ValueError(
                f"{key} is required while {switch} is true "
                f"(set {switch}=false to run without checking API keys)"
            )
        return self
