"""What the API and the worker open from `TurkicSettings`: the language-ID model, the
sources, the data-bank client; closed together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from platform_core.blocking import run_blocking
from platform_core.data_bank_client import DataBankClient
from turkic_api.langid import LangIdModel, load_model
from turkic_api.languages import Source
from turkic_api.settings import TurkicSettings
from turkic_api.sources import HfDatasetSource, SentenceSource, WikipediaSource


@dataclass(frozen=True, slots=True)
class Components:
    """The loaded model, one source per kind, the data bank and the data directory."""

    model: LangIdModel
    sources: dict[Source, SentenceSource]
    bank: DataBankClient
    data_dir: Path


def make_sources(settings: TurkicSettings) -> dict[Source, SentenceSource]:
    """The three sources, configured."""
    token = settings.hf_token.get_secret_value() if settings.hf_token else None
    cache = str(settings.turkic_data_dir / "datasets-cache")
    return {
        "wikipedia": WikipediaSource(
            settings.turkic_wikipedia_base_url, timeout_s=settings.turkic_source_timeout_seconds
        ),
        "oscar": HfDatasetSource(
            settings.turkic_oscar_dataset, settings.turkic_oscar_data_dir, token, cache
        ),
        "culturax": HfDatasetSource(
            settings.turkic_culturax_dataset, settings.turkic_culturax_data_dir, token, cache
        ),
    }


@asynccontextmanager
async def open_components(settings: TurkicSettings) -> AsyncIterator[Components]:
    """Load the model (in a thread) and open the data-bank client for the block."""
    model = await run_blocking(load_model, settings.turkic_langid_model_path)
    async with DataBankClient(
        settings.data_bank_url,
        settings.turkic_data_bank_api_key.get_secret_value(),
        timeout_s=settings.turkic_data_bank_timeout_seconds,
    ) as bank:
        yield Components(model, make_sources(settings), bank, settings.turkic_data_dir)
