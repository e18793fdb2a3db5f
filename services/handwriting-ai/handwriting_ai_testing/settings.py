"""Settings for tests: every directory under one folder, the API key `test-key`."""

import pathlib

from handwriting_ai.settings import HandwritingSettings, load_handwriting_settings

KEY = {"X-API-Key": "test-key"}
"""The header that opens the test app's protected routes."""


def make_settings(root: pathlib.Path, redis_url: str, **extra: str) -> HandwritingSettings:
    """Settings with data, artifacts and models under `root`; `extra` variables win."""
    env = {
        "REDIS_URL": redis_url,
        "SECURITY__API_KEY": "test-key",
        "APP__DATA_ROOT": str(root / "data"),
        "APP__ARTIFACTS_ROOT": str(root / "artifacts"),
        "DIGITS__MODEL_DIR": str(root / "models"),
        "DIGITS__RELOAD_INTERVAL_SECONDS": "0.05",
        "LOG_FORMAT": "text",
        **extra,
    }
    return load_handwriting_settings(env)
