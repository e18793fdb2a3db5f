"""model-trainer's settings, read from the environment by the API and the worker alike.

Besides the platform's `HOST`, `PORT` (8005), `LOG_*`, `REDIS_URL`, `API_KEY` /
`API_KEY_ENABLED`: where runs, tokenizers and the corpus cache live
(`TRAINER_ARTIFACTS_ROOT`, shared by the API and the worker: the logs routes read the
run logs the worker writes there), where `path`/`path_override` inputs may point
(`TRAINER_DATA_ROOT`), data-bank-api (`DATA_BANK_URL`, `DATA_BANK_API_KEY`), job
limits and TTLs.
"""

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import Field, SecretStr

from platform_core.config import (
    ApiKeySettings,
    Port,
    RedisSettings,
    ServiceSettings,
    load_settings,
)

DEFAULT_PORT = 8005


class TrainerSettings(ServiceSettings, RedisSettings, ApiKeySettings):
    """Everything model-trainer's server and worker read from the environment."""

    port: Port = Field(default=DEFAULT_PORT, description="TCP port (0-65535)")

    data_bank_url: str = Field(description="data-bank-api's base URL, e.g. http://127.0.0.1:8001")
    data_bank_api_key: SecretStr = Field(description="a data-bank-api key that may upload and read")

    trainer_artifacts_root: Path = Field(
        default=Path("/data/artifacts"),
        description="directory of runs, tokenizers and the corpus cache (shared by API and worker)",
    )
    trainer_data_root: Path = Field(
        default=Path("/data"), description="directory that score/evaluate `path` inputs may read"
    )
    trainer_max_corpus_bytes: int = Field(
        default=512 * 1024 * 1024, ge=1, description="largest corpus a job accepts (bytes)"
    )
    trainer_tokenizer_sample_max_lines: int = Field(
        default=10_000, ge=1, description="most lines the tokenizer stats sample"
    )
    trainer_threads: int = Field(
        default=0, ge=0, description="torch threads per worker process; 0 = all cores"
    )
    trainer_train_timeout_seconds: float = Field(
        default=86_400.0, gt=0, description="longest run of one training job (seconds)"
    )
    trainer_job_timeout_seconds: float = Field(
        default=3_600.0, gt=0, description="longest run of other jobs (seconds)"
    )
    trainer_result_ttl_seconds: float = Field(
        default=7 * 86_400.0, gt=0, description="how long finished runs and requests are kept"
    )
    trainer_chat_session_ttl_seconds: int = Field(
        default=3_600, ge=1, description="chat session lifetime since its last message (seconds)"
    )
    trainer_worker_concurrency: int = Field(
        default=2, ge=1, description="jobs one worker process runs at once"
    )
    trainer_redis_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Redis socket timeout in seconds"
    )
    trainer_data_bank_timeout_seconds: float = Field(
        default=60.0, gt=0, description="data-bank-api request timeout in seconds"
    )

    @property
    def runs_dir(self) -> Path:
        """`<artifacts>/runs`: one directory per run (model, logs)."""
        return self.trainer_artifacts_root / "runs"

    @property
    def tokenizers_dir(self) -> Path:
        """`<artifacts>/tokenizers`: one directory per tokenizer."""
        return self.trainer_artifacts_root / "tokenizers"

    @property
    def corpus_cache(self) -> Path:
        """`<artifacts>/corpus_cache`: corpora fetched from data-bank-api, by file id."""
        return self.trainer_artifacts_root / "corpus_cache"


def load_trainer_settings(environ: Mapping[str, str] = os.environ) -> TrainerSettings:
    """The settings from `environ`; `ConfigError` names each missing or malformed variable."""
    return load_settings(TrainerSettings, environ)
