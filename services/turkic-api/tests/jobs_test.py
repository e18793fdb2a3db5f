"""The job handler's failure mapping, driven directly with a model that fails."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import JsonValue

from platform_core.data_bank_client import DataBankClient
from platform_workers.async_queue import JobContext, SystemFailureError
from turkic_api.components import Components
from turkic_api.jobs import CorpusPayload, process_corpus
from turkic_api.langid import Guess, LangIdError
from turkic_api.languages import Language


class Broken:
    """A language-ID model that fails on every sentence."""

    @property
    def model_id(self) -> str:
        return "broken"

    def identify(self, text: str) -> Guess:
        raise LangIdError(f"cannot identify {text!r}")


class Lines:
    """A source of fixed sentences."""

    origin = "lines"

    async def sentences(self, language: Language) -> AsyncIterator[str]:
        yield f"a sentence in {language}"


async def no_report(percent: int, message: str | None, payload: JsonValue) -> None:
    del percent, message, payload


async def test_a_language_id_failure_is_a_system_failure(tmp_path: Path) -> None:
    async with DataBankClient("http://127.0.0.1:1", "k") as bank:
        components = Components(Broken(), {"wikipedia": Lines()}, bank, tmp_path)
        payload = CorpusPayload(
            source="wikipedia",
            language="kk",
            script=None,
            max_sentences=5,
            transliterate=True,
            confidence_threshold=0.5,
        )
        ctx = JobContext(
            job_id="j", user_id=1, task="t", queue="turkic", attempt=1, reporter=no_report
        )
        with pytest.raises(SystemFailureError, match="language ID failed: cannot identify"):
            await process_corpus(components, payload, ctx)
