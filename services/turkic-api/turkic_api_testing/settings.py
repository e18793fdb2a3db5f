"""Settings for tests: pointing at the test's Redis, data bank, dumps server and folders."""

from pathlib import Path
from typing import Protocol

from pydantic import SecretStr

from turkic_api.settings import TurkicSettings

BANK_KEY = "turkic-test-bank-key"


class MakeSettings(Protocol):
    """Builds the settings under test (`bank_key`: the data-bank key they send)."""

    def __call__(self, *, bank_key: str = BANK_KEY, bank_url: str | None = None) -> TurkicSettings:
        """Settings sending `bank_key`, to `bank_url` (default: the test's data bank)."""
        ...


def settings_for(
    *,
    redis_url: str,
    bank_url: str,
    dumps_url: str,
    datasets_root: Path,
    data_dir: Path,
    key: str,
) -> TurkicSettings:
    """Settings pointing at these servers and folders."""
    return TurkicSettings(
        redis_url=redis_url,
        turkic_data_dir=data_dir,
        turkic_data_bank_api_url=bank_url,
        turkic_data_bank_api_key=SecretStr(key),
        turkic_wikipedia_base_url=dumps_url,
        turkic_oscar_dataset=str(datasets_root),
        turkic_oscar_data_dir="{language}",
        turkic_culturax_dataset=str(datasets_root),
        turkic_redis_timeout_seconds=2.0,
        turkic_source_timeout_seconds=5.0,
        turkic_data_bank_timeout_seconds=10.0,
    )
