"""Shared fixtures: a private Redis, a real data-bank-api server (child process), the
fake dumps server, local dataset folders, and the settings that point at them."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from platform_core.http_testing import RunningServer, running_server
from platform_workers.testing.pytest_plugin import redis_server, redis_url
from platform_workers.testing.redis_server import RedisServer
from turkic_api.settings import TurkicSettings
from turkic_api_testing.datasets import write_dataset
from turkic_api_testing.dumps import FakeDumps
from turkic_api_testing.processes import ServerProcess, data_bank_command
from turkic_api_testing.sentences import SENTENCES
from turkic_api_testing.settings import BANK_KEY, MakeSettings, settings_for

__all__ = ["redis_server", "redis_url"]


@pytest.fixture()
async def fake_dumps() -> AsyncIterator[tuple[FakeDumps, RunningServer]]:
    """A running fake dumps server and its address."""
    fake = FakeDumps()
    async with running_server(fake.app, grace_s=0.5) as server:
        yield fake, server


@pytest.fixture(scope="session")
def bank(
    redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """The real data-bank-api server for the session."""
    env = {
        "REDIS_URL": redis_server.url,
        "API_UPLOAD_KEYS": BANK_KEY,
        "DATA_ROOT": str(tmp_path_factory.mktemp("bank")),
        "MIN_FREE_GB": "0",
    }
    with ServerProcess(data_bank_command(), env) as server:
        yield server
        assert server.stop() == 0


@pytest.fixture()
def datasets_root(tmp_path: Path) -> Path:
    """A local dataset folder with the sentences of every language (`{root}/{lang}`)."""
    root = tmp_path / "datasets"
    for language, sentences in SENTENCES.items():
        write_dataset(root, language, sentences)
    return root


@pytest.fixture()
def make_settings(
    redis_url: str,
    bank: ServerProcess,
    fake_dumps: tuple[FakeDumps, RunningServer],
    datasets_root: Path,
    tmp_path: Path,
) -> MakeSettings:
    """Settings for the app and worker under test."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()

    def make(*, bank_key: str = BANK_KEY, bank_url: str | None = None) -> TurkicSettings:
        return settings_for(
            redis_url=redis_url,
            bank_url=bank_url or bank.url,
            dumps_url=fake_dumps[1].url,
            datasets_root=datasets_root,
            data_dir=data_dir,
            key=bank_key,
        )

    return make


@pytest.fixture()
def settings(make_settings: MakeSettings) -> TurkicSettings:
    """The default settings under test."""
    return make_settings()
