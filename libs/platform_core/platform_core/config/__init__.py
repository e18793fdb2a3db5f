"""Settings read once from the environment at startup, as typed pydantic models.

A service declares its settings as a model (subclass `ServiceSettings`, and
`RedisSettings` when it talks to Redis); each field is read from the environment
variable named by its alias or, by default, its name in upper case (`redis_url` ->
`REDIS_URL`). `load_settings(MySettings)` returns the model or raises `ConfigError`
naming every missing or malformed variable and what was expected. `ApiKeySettings`
adds a service's API key (or the explicit choice to run without one).
"""

from platform_core.config.loader import ConfigError, env_var_name, load_settings
from platform_core.config.settings import ApiKeySettings, RedisSettings, ServiceSettings
from platform_core.config.types import CommaList, LogLevel, Port, RedisUrl

__all__ = [
    "ApiKeySettings",
    "CommaList",
    "ConfigError",
    "LogLevel",
    "Port",
    "RedisSettings",
    "RedisUrl",
    "ServiceSettings",
    "env_var_name",
    "load_settings",
]
