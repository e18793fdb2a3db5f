"""Settings from the environment: the data bank must be reachable, the gateway rule."""

import pytest

from platform_core.config import ConfigError
from turkic_api.settings import load_turkic_settings

ENV = {"REDIS_URL": "redis://127.0.0.1:1/0", "TURKIC_DATA_BANK_API_KEY": "k"}


def test_direct_url_and_defaults() -> None:
    settings = load_turkic_settings({**ENV, "TURKIC_DATA_BANK_API_URL": "http://bank:8001"})
    assert settings.data_bank_url == "http://bank:8001"
    assert settings.port == 8000
    assert str(settings.turkic_data_dir) == "/data"
    assert settings.turkic_langid_model_path is None


def test_the_gateway_wins() -> None:
    settings = load_turkic_settings(
        {**ENV, "TURKIC_DATA_BANK_API_URL": "http://bank", "API_GATEWAY_URL": "http://gw/"}
    )
    assert settings.data_bank_url == "http://gw/data-bank"


def test_missing_data_bank_stops_startup() -> None:
    with pytest.raises(ConfigError, match="TURKIC_DATA_BANK_API_URL \\(or API_GATEWAY_URL\\)"):
        load_turkic_settings(ENV)
    with pytest.raises(ConfigError, match="TURKIC_DATA_BANK_API_KEY is required"):
        load_turkic_settings({"REDIS_URL": ENV["REDIS_URL"], "API_GATEWAY_URL": "http://gw"})
