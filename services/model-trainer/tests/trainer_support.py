"""Test helpers shared by the service's tests (imported as `tests.trainer_support`)."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, JsonValue

from model_trainer.app import build_app
from model_trainer.settings import TrainerSettings
from model_trainer.worker import run
from platform_core.data_bank_client import DataBankClient
from platform_core.http_testing import HttpClient, json_object, running_server
from platform_workers.async_queue_testing import wait_until

BANK_KEY = "bank-test-key"
API_KEY = "trainer-test-key"
HEADERS = {"X-API-Key": API_KEY}


@dataclass(frozen=True, slots=True)
class DataBank:
    """A running data-bank-api."""

    url: str
    key: str

    def client(self) -> DataBankClient:
        """A client with the test key (upload, read and delete)."""
        return DataBankClient(self.url, self.key)

    async def upload(self, text: str) -> str:
        """Store `text`; its file id."""
        async with self.client() as client:
            return (await client.upload(text.encode(), filename="corpus.txt")).file_id


@asynccontextmanager
async def api(settings: TrainerSettings) -> AsyncIterator[HttpClient]:
    """The app on a real loopback port, a client with the API key."""
    async with running_server(build_app(settings)) as server, server.client() as client:
        client.headers.update(HEADERS)
        yield client


@asynccontextmanager
async def worker(settings: TrainerSettings) -> AsyncIterator[None]:
    """The worker's loop in this process until the block ends."""
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, stop=stop))
    try:
        yield
    finally:
        stop.set()
        await task


@asynccontextmanager
async def service(settings: TrainerSettings) -> AsyncIterator[HttpClient]:
    """The app and the worker, both in this process."""
    async with worker(settings), api(settings) as client:
        yield client


def body(**fields: object) -> str:
    """A JSON body."""
    return json.dumps(fields)


async def finished(client: HttpClient, path: str) -> dict[str, JsonValue]:
    """GET `path` until its status is completed or failed; the last answer."""

    async def done() -> bool:
        status = json_object(await client.get(path))["status"]
        return status in ("completed", "failed")

    await wait_until(done, 180)
    return json_object(await client.get(path))


async def tokenizer(client: HttpClient, corpus: str, method: str = "char") -> str:
    """A trained tokenizer's id."""
    posted = await client.post(
        "/tokenizers/train", content=body(method=method, vocab_size=200, corpus_file_id=corpus)
    )
    tok = str(json_object(posted)["tokenizer_id"])
    view = await finished(client, f"/tokenizers/{tok}")
    assert view["status"] == "completed", view
    return tok


def train_body(corpus: str, tok: str, **fields: object) -> str:
    """A toy-size char_lstm run's body (fields override)."""
    merged: dict[str, object] = {
        "model_family": "char_lstm",
        "model_size": "nano",
        "max_seq_len": 32,
        "batch_size": 8,
        "learning_rate": 0.01,
        "corpus_file_id": corpus,
        "tokenizer_id": tok,
        "holdout_fraction": 0.1,
        "test_split_ratio": 0.1,
        "max_steps": 3,
    }
    merged.update(fields)
    return json.dumps(merged)


def changed(settings: TrainerSettings, **changes: object) -> TrainerSettings:
    """`settings` with some fields changed."""
    update: dict[str, object] = changes
    return settings.model_copy(update=update)


class LogLine(BaseModel):
    """The part of a run-log line the tests read."""

    model_config = ConfigDict(extra="ignore")

    event: str
