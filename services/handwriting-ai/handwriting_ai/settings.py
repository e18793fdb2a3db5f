"""Everything handwriting-ai and its `digits` worker read from the environment.

The original's variable names where it had them (`DIGITS__*`, `APP__*`,
`SECURITY__API_KEY`), plus the platform's (`REDIS_URL`, `HOST`, `PORT`, `LOG_*`). The
API key is checked in production too: `SECURITY__API_KEY` is required unless
`SECURITY__API_KEY_ENABLED=false` says to run open.
"""

import os
import pathlib
from collections.abc import Mapping

from pydantic import Field

from platform_core.config import (
    ApiKeySettings,
    Port,
    RedisSettings,
    ServiceSettings,
    load_settings,
)

DEFAULT_PORT = 8004
MB = 1 << 20


class HandwritingSettings(ServiceSettings, RedisSettings, ApiKeySettings):
    """The settings of the API and the worker (one class, so they cannot disagree)."""

    port: Port = Field(default=DEFAULT_PORT, description="TCP port (0-65535)")
    api_key: str | None = Field(
        default=None, alias="SECURITY__API_KEY", description="the key protected routes need"
    )
    api_key_enabled: bool = Field(
        default=True,
        alias="SECURITY__API_KEY_ENABLED",
        description="true, or false to run without checking the API key",
    )
    data_root: pathlib.Path = Field(
        alias="APP__DATA_ROOT", description="data directory; MNIST IDX files under mnist/"
    )
    artifacts_root: pathlib.Path = Field(
        alias="APP__ARTIFACTS_ROOT", description="training output (digits/models/<id>/)"
    )
    threads: int = Field(
        default=0, ge=0, alias="APP__THREADS", description="inference threads; 0 = min(8, cores)"
    )
    data_bank_api_url: str = Field(
        default="", alias="APP__DATA_BANK_API_URL", description="data-bank-api base URL"
    )
    data_bank_api_key: str = Field(
        default="", alias="APP__DATA_BANK_API_KEY", description="data-bank-api key"
    )
    api_gateway_url: str = Field(
        default="", alias="API_GATEWAY_URL", description="if set, data bank = <url>/data-bank"
    )
    model_dir: pathlib.Path = Field(
        alias="DIGITS__MODEL_DIR", description="served models (<id>/model.pt, manifest.json)"
    )
    active_model: str = Field(
        default="", alias="DIGITS__ACTIVE_MODEL", description="model to serve when none is active"
    )
    tta: bool = Field(default=False, alias="DIGITS__TTA", description="test-time augmentation")
    uncertain_threshold: float = Field(
        default=0.7, ge=0, le=1, alias="DIGITS__UNCERTAIN_THRESHOLD", description="0-1"
    )
    max_image_mb: float = Field(
        default=10.0, gt=0, alias="DIGITS__MAX_IMAGE_MB", description="largest upload (MB)"
    )
    max_image_side_px: int = Field(
        default=2048, ge=1, alias="DIGITS__MAX_IMAGE_SIDE_PX", description="longest side"
    )
    max_image_pixels: int = Field(
        default=89_478_485,
        ge=1,
        alias="DIGITS__MAX_IMAGE_PIXELS",
        description="more pixels is a decompression bomb (413); PIL's default",
    )
    predict_timeout_seconds: float = Field(
        default=5.0, gt=0, alias="DIGITS__PREDICT_TIMEOUT_SECONDS", description="> 0"
    )
    visualize_max_kb: int = Field(
        default=64, ge=0, alias="DIGITS__VISUALIZE_MAX_KB", description="largest visual PNG"
    )
    max_model_mb: float = Field(
        default=200.0, gt=0, alias="DIGITS__MAX_MODEL_MB", description="largest model upload"
    )
    reload_interval_seconds: float = Field(
        default=1.0,
        gt=0,
        alias="DIGITS__RELOAD_INTERVAL_SECONDS",
        description="how often the API looks for a newly activated model",
    )
    max_train_samples: int = Field(
        default=0,
        ge=0,
        alias="DIGITS__MAX_TRAIN_SAMPLES",
        description="train on at most this many images (0 = all; toy runs)",
    )
    job_timeout_seconds: float = Field(
        default=3600.0, gt=0, alias="DIGITS__JOB_TIMEOUT_SECONDS", description="> 0"
    )
    result_ttl_seconds: float = Field(
        default=86_400.0, gt=0, alias="DIGITS__RESULT_TTL_SECONDS", description="> 0"
    )
    redis_timeout_seconds: float = Field(
        default=5.0, gt=0, alias="DIGITS__REDIS_TIMEOUT_SECONDS", description="> 0"
    )

    @property
    def max_image_bytes(self) -> int:
        """`max_image_mb` in bytes."""
        return int(self.max_image_mb * MB)

    @property
    def data_bank_url(self) -> str:
        """The data bank's base URL (the gateway rule first)."""
        if self.api_gateway_url:
            return f"{self.api_gateway_url.rstrip('/')}/data-bank"
        return self.data_bank_api_url

    @property
    def mnist_dir(self) -> pathlib.Path:
        """Where the MNIST IDX files are."""
        return self.data_root / "mnist"

    @property
    def inference_threads(self) -> int:
        """Threads for preprocessing and inference."""
        return self.threads or min(8, os.cpu_count() or 1)


def load_handwriting_settings(environ: Mapping[str, str] = os.environ) -> HandwritingSettings:
    """The settings; raises `platform_core.config.ConfigError` naming each bad variable."""
    return load_settings(HandwritingSettings, environ)
