"""Settings from the environment: names, parsing rules, and the errors that stop startup."""

from typing import Annotated

import pytest
from pydantic import BaseModel, BeforeValidator, Field, model_validator

from platform_core.config import (
    ApiKeySettings,
    CommaList,
    ConfigError,
    LogLevel,
    RedisSettings,
    ServiceSettings,
    env_var_name,
    load_settings,
)
from platform_core.config.types import split_commas


class AppSettings(ServiceSettings, RedisSettings):
    """A service's settings."""

    port: int = 8002
    max_items: int = Field(default=10, ge=1, description="how many items to keep")
    api_keys: Annotated[CommaList, Field(min_length=1)] = Field(description="API keys, CSV")
    secret: str = Field(alias="APP_SECRET_TOKEN", default="none")
    verbose: bool = False


class Window(BaseModel):
    """Settings with a rule across fields."""

    low: int = 0
    high: int = 10

    @model_validator(mode="after")
    def ordered(self) -> "Window":
        """low <= high."""
        if self.low > self.high:
            raise ValueError("LOW must not exceed HIGH")
        return self


class Levels(BaseModel):
    """A log level field."""

    level: LogLevel = "INFO"


BASE = {"REDIS_URL": "redis://127.0.0.1:6379/0", "API_KEYS": "k1"}


def test_defaults_and_names() -> None:
    settings = load_settings(AppSettings, BASE)
    assert settings.host == "0.0.0.0"
    assert settings.port == 8002
    assert settings.log_level == "INFO"
    assert settings.log_format == "json"
    assert settings.instance_id is None
    assert settings.shutdown_grace_s == 20.0
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.api_keys == ("k1",)
    assert env_var_name(AppSettings, "max_items") == "MAX_ITEMS"
    assert env_var_name(AppSettings, "secret") == "APP_SECRET_TOKEN"


def test_values_are_parsed_trimmed_and_empty_means_unset() -> None:
    settings = load_settings(
        AppSettings,
        {
            **BASE,
            "PORT": " 9000 ",
            "MAX_ITEMS": "",
            "API_KEYS": " a, b ,, c ",
            "APP_SECRET_TOKEN": "s3",
            "VERBOSE": "yes",
            "LOG_LEVEL": "debug",
            "LOG_FORMAT": "text",
            "SHUTDOWN_GRACE_S": "2.5",
            "HOST": "::",
        },
    )
    assert settings.port == 9000
    assert settings.max_items == 10
    assert settings.api_keys == ("a", "b", "c")
    assert settings.secret == "s3"
    assert settings.verbose is True
    assert settings.log_level == "DEBUG"
    assert settings.log_format == "text"
    assert settings.shutdown_grace_s == 2.5
    assert settings.host == "::"


def test_settings_are_frozen() -> None:
    assert ServiceSettings.model_config.get("frozen") is True
    assert RedisSettings.model_config.get("frozen") is True


def test_missing_variables_are_named_with_what_is_expected() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(AppSettings, {"API_KEYS": " "})
    assert sorted(caught.value.problems) == [
        "API_KEYS is required but not set (expected: API keys, CSV)",
        "REDIS_URL is required but not set (expected: a redis:// or rediss:// URL)",
    ]
    assert str(caught.value).startswith("invalid configuration for AppSettings: ")


def test_malformed_values_are_named_and_never_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            AppSettings,
            {
                **BASE,
                "PORT": "eighty",
                "MAX_ITEMS": "0",
                "VERBOSE": "sometimes",
                "REDIS_URL": "http://secret-host/0",
            },
        )
    problems = sorted(caught.value.problems)
    assert len(problems) == 4
    assert problems[0] == (
        "MAX_ITEMS is invalid: Input should be greater than or equal to 1"
        " (expected: how many items to keep)"
    )
    assert problems[1].startswith("PORT is invalid: Input should be a valid integer")
    assert problems[2].startswith("REDIS_URL is invalid: expected a redis://, rediss://")
    assert problems[3].startswith("VERBOSE is invalid: Input should be a valid boolean")
    assert "secret-host" not in str(caught.value)
    assert "eighty" not in str(caught.value)


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0"])
def test_the_shutdown_grace_is_a_finite_positive_number(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(ServiceSettings, {"SHUTDOWN_GRACE_S": value})
    (problem,) = caught.value.problems
    assert problem.startswith("SHUTDOWN_GRACE_S is invalid: Input should be ")
    assert problem.endswith("(expected: seconds in-flight requests get after SIGTERM)")


@pytest.mark.parametrize(
    "url",
    ["redis://localhost:6379/0", "rediss://user:pw@cache.example:6380/1", "unix:///run/redis.sock"],
)
def test_redis_urls(url: str) -> None:
    assert load_settings(RedisSettings, {"REDIS_URL": url}).redis_url == url


def test_redis_url_needs_a_host() -> None:
    with pytest.raises(ConfigError, match="REDIS_URL is invalid: expected a host"):
        load_settings(RedisSettings, {"REDIS_URL": "redis:///0"})


@pytest.mark.parametrize(
    "url", ["redis://cache:port/0", "redis://cache:99999/0", "rediss://u:pw@cache:6379x/0"]
)
def test_redis_url_needs_a_valid_port(url: str) -> None:
    # urlsplit checks a port only when `.port` is read: these were accepted and failed
    # at the first connection instead of at startup.
    with pytest.raises(ConfigError) as caught:
        load_settings(RedisSettings, {"REDIS_URL": url})
    assert caught.value.problems == (
        "REDIS_URL is invalid: expected a port number (0-65535) in the Redis URL "
        "(expected: a redis:// or rediss:// URL)",
    )
    assert "cache" not in str(caught.value)


def test_unix_redis_url_needs_a_path() -> None:
    with pytest.raises(ConfigError, match="REDIS_URL is invalid: expected a socket path"):
        load_settings(RedisSettings, {"REDIS_URL": "unix://"})


def test_empty_list_rejected_when_one_entry_is_required() -> None:
    with pytest.raises(
        ConfigError, match=r"API_KEYS is invalid: Value should have at least 1 item"
    ):
        load_settings(AppSettings, {**BASE, "API_KEYS": ", ,"})


def test_log_level_any_case_but_known() -> None:
    assert load_settings(Levels, {"LEVEL": "warning"}).level == "WARNING"
    with pytest.raises(ConfigError, match="LEVEL is invalid: Input should be 'DEBUG'"):
        load_settings(Levels, {"LEVEL": "loud"})


def test_port_range() -> None:
    with pytest.raises(ConfigError, match="PORT is invalid: Input should be less than or equal"):
        load_settings(ServiceSettings, {"PORT": "70000"})


def test_aliased_variables_are_named() -> None:
    class Keys(BaseModel):
        """Fields read from variables named by their aliases."""

        upload_key: str = Field(alias="API_UPLOAD_KEY", description="the upload API key")
        limit: int = Field(alias="UPLOAD_LIMIT", default=1)

    assert load_settings(Keys, {"API_UPLOAD_KEY": "k", "UPLOAD_LIMIT": "2"}).limit == 2
    with pytest.raises(ConfigError) as caught:
        load_settings(Keys, {"UPLOAD_LIMIT": "many"})
    assert sorted(caught.value.problems) == [
        "API_UPLOAD_KEY is required but not set (expected: the upload API key)",
        "UPLOAD_LIMIT is invalid: Input should be a valid integer, unable to parse string as "
        "an integer",
    ]


def test_rules_across_fields_are_reported_without_a_variable() -> None:
    assert load_settings(Window, {"LOW": "3"}).low == 3
    with pytest.raises(ConfigError) as caught:
        load_settings(Window, {"LOW": "11"})
    assert caught.value.problems == ("LOW must not exceed HIGH",)


def test_list_item_errors_name_the_position() -> None:
    class Numbers(BaseModel):
        """A typed list from CSV."""

        values: Annotated[tuple[int, ...], BeforeValidator(split_commas)]

    assert load_settings(Numbers, {"VALUES": "1, 2"}).values == (1, 2)
    with pytest.raises(ConfigError) as caught:
        load_settings(Numbers, {"VALUES": "1,x"})
    assert caught.value.problems[0].startswith("VALUES[1] is invalid: Input should be a valid int")


def test_settings_built_in_code_take_typed_values() -> None:
    settings = AppSettings(redis_url="redis://h:1/0", api_keys=("x", "y"))
    assert settings.api_keys == ("x", "y")
    lower: dict[str, object] = {"level": "error"}
    number: dict[str, object] = {"level": 10}
    assert Levels.model_validate(lower).level == "ERROR"
    with pytest.raises(ValueError, match="Input should be 'DEBUG'"):
        Levels.model_validate(number)


class KeyedSettings(ServiceSettings, ApiKeySettings):
    """A service with one API key, under the kit's variable names."""


class RenamedKeySettings(ServiceSettings, ApiKeySettings):
    """A service that names the key's variables as its original did."""

    api_key: str | None = Field(default=None, alias="SECURITY__API_KEY")
    api_key_enabled: bool = Field(default=True, alias="SECURITY__API_KEY_ENABLED")


def test_an_api_key_is_required_while_keys_are_checked() -> None:
    assert load_settings(KeyedSettings, {"API_KEY": " k1 "}).api_key == "k1"
    for environ in ({}, {"API_KEY": "   "}, {"API_KEY_ENABLED": "true"}):
        with pytest.raises(ConfigError) as missing:
            load_settings(KeyedSettings, environ)
        assert missing.value.problems == (
            "API_KEY is required while API_KEY_ENABLED is true "
            "(set API_KEY_ENABLED=false to run without checking API keys)",
        )
    with pytest.raises(ConfigError, match="SECURITY__API_KEY is required while SECURITY__API_KEY"):
        load_settings(RenamedKeySettings, {})


def test_running_without_keys_is_an_explicit_switch() -> None:
    open_settings = load_settings(RenamedKeySettings, {"SECURITY__API_KEY_ENABLED": "false"})
    assert (open_settings.api_key, open_settings.api_key_enabled) == (None, False)
    with pytest.raises(ConfigError, match="API_KEY_ENABLED is invalid"):
        load_settings(KeyedSettings, {"API_KEY_ENABLED": "maybe"})
