"""Settings: the original's environment variables, validated by the request's own rules."""

import pytest

from platform_core.config import ConfigError, load_settings
from qr_api.request import QrOptions
from qr_api.settings import DEFAULT_PORT, QrSettings


def test_defaults() -> None:
    settings = load_settings(QrSettings, {})
    assert settings.port == DEFAULT_PORT == 8002
    assert settings.qr_defaults() == QrOptions()
    assert settings.qr_render_workers >= 1
    assert settings.qr_max_body_bytes == 16384


def test_overrides_use_the_request_rules() -> None:
    settings = load_settings(
        QrSettings,
        {
            "QR_DEFAULT_ERROR_CORRECTION": " h ",
            "QR_DEFAULT_BOX_SIZE": "12",
            "QR_DEFAULT_BORDER": "3",
            "QR_DEFAULT_FILL_COLOR": "#123456",
            "QR_DEFAULT_BACK_COLOR": "#FEFEFE",
            "QR_RENDER_WORKERS": "3",
            "QR_MAX_BODY_BYTES": "4096",
            "PORT": "9000",
        },
    )
    assert settings.qr_defaults() == QrOptions(
        ecc="H", box_size=12, border=3, fill_color="#123456", back_color="#FEFEFE"
    )
    assert (settings.qr_render_workers, settings.qr_max_body_bytes, settings.port) == (
        3,
        4096,
        9000,
    )


def test_blank_values_are_unset() -> None:
    settings = load_settings(QrSettings, {"QR_DEFAULT_FILL_COLOR": "  ", "QR_DEFAULT_BORDER": ""})
    assert settings.qr_defaults() == QrOptions()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("QR_DEFAULT_ERROR_CORRECTION", "Z", "Invalid error correction. Choose L, M, Q, H"),
        ("QR_DEFAULT_BOX_SIZE", "30", "box_size must be between 5 and 20"),
        ("QR_DEFAULT_BOX_SIZE", "10.0", "box_size must be between 5 and 20"),
        ("QR_DEFAULT_BORDER", "0", "border must be between 1 and 10"),
        ("QR_DEFAULT_FILL_COLOR", "red", "Invalid color format. Use hex codes"),
        ("QR_DEFAULT_BACK_COLOR", "#12", "Invalid color format. Use hex codes"),
        ("QR_RENDER_WORKERS", "0", "greater than or equal to 1"),
        ("QR_MAX_BODY_BYTES", "100", "greater than or equal to 2048"),
    ],
)
def test_invalid_values_stop_startup(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(QrSettings, {name: value})
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(f"{name} is invalid")
    assert message in caught.value.problems[0]


def test_values_given_in_code_are_checked_too() -> None:
    settings = QrSettings(
        qr_default_error_correction="Q",
        qr_default_box_size=7,
        qr_default_border=2,
        qr_default_fill_color="#111",
        qr_default_back_color="#eee",
    )
    assert settings.qr_defaults() == QrOptions(
        ecc="Q", box_size=7, border=2, fill_color="#111", back_color="#eee"
    )
