"""Shared fixtures: the vendored fortunes corpus, a private Redis, a real data-bank-api
(its server binary in a child process) and the settings of the service under test."""

import http.client
import os
import pathlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http import HTTPStatus

import pytest
from pydantic import SecretStr

from model_trainer.corpus import CorpusSplits, split_corpus
from model_trainer.settings import TrainerSettings
from platform_core.loadgen import free_port, python_module
from platform_workers.testing.pytest_plugin import redis_server, redis_url
from platform_workers.testing.redis_server import RedisServer
from tests.trainer_support import API_KEY, BANK_KEY, DataBank

__all__ = ["redis_server", "redis_url"]

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE.parent / "corpus" / "fortunes.txt"
DATA_BANK_SOURCES = HERE.parent.parent / "data-bank-api"


@pytest.fixture(scope="session")
def corpus_text() -> str:
    """The fortunes corpus (Debian's fortunes-min; corpus/LICENSE)."""
    return CORPUS.read_text()


@pytest.fixture(scope="session")
def small_corpus(corpus_text: str) -> str:
    """The corpus's first 200 lines."""
    return "\n".join(corpus_text.splitlines()[:200]) + "\n"


@pytest.fixture(scope="session")
def splits(small_corpus: str) -> CorpusSplits:
    """The small corpus, split: 10% validation, 10% test."""
    return split_corpus(small_corpus, holdout_fraction=0.1, test_fraction=0.1)


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == HTTPStatus.OK
    except OSError:
        return False
    finally:
        connection.close()


@pytest.fixture(scope="session")
def data_bank(
    redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DataBank]:
    """data-bank-api's server (`python -m data_bank_api.server`) on a free port, one for
    the session (files are content-addressed, so tests cannot disturb each other)."""
    port = free_port()
    root = tmp_path_factory.mktemp("bank")
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join([str(DATA_BANK_SOURCES), *sys.path]),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "REDIS_URL": redis_server.url,
        "DATA_ROOT": str(root / "files"),
        "API_UPLOAD_KEYS": BANK_KEY,
        "API_READ_KEYS": BANK_KEY,
        "API_DELETE_KEYS": BANK_KEY,
        "MIN_FREE_GB": "0",
        "LOG_LEVEL": "WARNING",
    }
    with (root / "server.log").open("wb") as log:
        process = subprocess.Popen(
            python_module("data_bank_api.server"), env=env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 60
        while not _healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((root / "server.log").read_text())
            threading.Event().wait(0.1)
        yield DataBank(f"http://127.0.0.1:{port}", BANK_KEY)
    finally:
        process.terminate()
        process.wait(30)


@pytest.fixture()
def settings(redis_url: str, data_bank: DataBank, tmp_path: pathlib.Path) -> TrainerSettings:
    """The service's settings: the test Redis and data bank, private directories."""
    data_root = tmp_path / "data"
    data_root.mkdir()
    return TrainerSettings(
        redis_url=redis_url,
        api_key=API_KEY,
        data_bank_url=data_bank.url,
        data_bank_api_key=SecretStr(data_bank.key),
        trainer_artifacts_root=tmp_path / "artifacts",
        trainer_data_root=data_root,
        trainer_worker_concurrency=2,
        log_format="text",
    )
