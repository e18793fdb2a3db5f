"""`TurkicSettings`: the one settings model the API and the worker both read.

Read once at startup (`platform_core.config.load_settings`); a missing or malformed
variable stops startup naming it. Unlike the original, a missing data-bank URL or key
stops startup instead of failing every job at upload time (or `/result` with a 500).
"""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator

from platform_core.config import Port, RedisSettings, ServiceSettings, load_settings

DEFAULT_PORT = 8000


class TurkicSettings(ServiceSettings, RedisSettings):
    """Everything turkic-api and its worker read from the environment."""

    port: Port = Field(default=DEFAULT_PORT, description="TCP port (0-65535)")

    turkic_data_dir: Path = Field(
        default=Path("/data"), description="directory for corpus/ (the corpus cache)"
    )
    turkic_data_bank_api_url: str | None = Field(
        default=None, description="data-bank-api base URL (unless API_GATEWAY_URL is set)"
    )
    api_gateway_url: str | None = Field(
        default=None, description="gateway URL: data-bank is then {API_GATEWAY_URL}/data-bank"
    )
    turkic_data_bank_api_key: SecretStr = Field(description="data-bank-api key (X-API-Key)")
    turkic_data_bank_timeout_seconds: float = Field(
        default=600.0, gt=0, description="data-bank request timeout in seconds (> 0)"
    )
    turkic_langid_model_path: Path | None = Field(
        default=None,
        description="a fastText LID model file (lid218e.bin, lid.176.bin); default py3langid",
    )
    turkic_wikipedia_base_url: str = Field(
        default="https://dumps.wikimedia.org", description="base URL of the Wikipedia dumps"
    )
    turkic_oscar_dataset: str = Field(
        default="oscar-corpus/OSCAR-2301", description="OSCAR: hub id or local directory"
    )
    turkic_oscar_data_dir: str = Field(
        default="{language}_meta", description="OSCAR's folder of a language ({language})"
    )
    turkic_culturax_dataset: str = Field(
        default="uonlp/CulturaX", description="CulturaX: hub id or local directory"
    )
    turkic_culturax_data_dir: str = Field(
        default="{language}", description="CulturaX's folder of a language ({language})"
    )
    hf_token: SecretStr | None = Field(
        default=None, description="Hugging Face token for the gated datasets"
    )
    turkic_source_timeout_seconds: float = Field(
        default=30.0, gt=0, description="longest wait for a source's next bytes (> 0)"
    )
    turkic_job_timeout_seconds: float = Field(
        default=6 * 3600.0, gt=0, description="longest run of one corpus job in seconds (> 0)"
    )
    turkic_result_ttl_seconds: float = Field(
        default=86_400.0, gt=0, description="how long a finished job's status is kept (> 0)"
    )
    turkic_worker_concurrency: int = Field(
        default=2, ge=1, description="corpus jobs one worker process runs at once (>= 1)"
    )
    turkic_redis_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Redis socket timeout in seconds (> 0)"
    )

    @model_validator(mode="after")
    def _data_bank_reachable(self) -> Self:
        if not self.api_gateway_url and not self.turkic_data_bank_api_url:
            raise ValueError("TURKIC_DATA_BANK_API_URL (or API_GATEWAY_URL) is required")
        return self

    @property
    def data_bank_url(self) -> str:
        """`{API_GATEWAY_URL}/data-bank` when a gateway is set, else the direct URL."""
        if self.api_gateway_url:
            return f"{self.api_gateway_url.rstrip('/')}/data-bank"
        return str(self.turkic_data_bank_api_url)


def load_turkic_settings(environ: Mapping[str, str] = os.environ) -> TurkicSettings:
    """The settings from `environ`; raises `platform_core.config.ConfigError`."""
    return load_settings(TurkicSettings, environ)
