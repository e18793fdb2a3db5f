"""The API and the job flow in process: the app over ASGI, an in-process worker running
the real handler, a real Redis, the real data-bank-api server, the fake dumps server."""

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from pydantic import JsonValue

from platform_core.async_events import JobCompleted, JobFailed, JobProgress
from platform_core.data_bank_client import DataBankClient
from platform_core.http_testing import HttpClient, RunningServer, app_client, json_object
from platform_workers.async_queue import JobContext, Queue
from platform_workers.async_queue_testing import Events, running
from platform_workers.async_redis import open_redis
from turkic_api.app import build_app
from turkic_api.components import open_components
from turkic_api.ipa import transliterate
from turkic_api.jobs import QUEUE, CorpusPayload, CorpusResult, corpus_task, process_corpus
from turkic_api.languages import Language
from turkic_api.settings import TurkicSettings
from turkic_api_testing.dumps import FakeDumps, make_dump
from turkic_api_testing.sentences import SENTENCES
from turkic_api_testing.settings import BANK_KEY, MakeSettings

JOBS = "/api/v1/jobs"
WAIT_S = 120.0  # datasets' first import and a busy 2-core CI machine


def wiki_text(language: Language) -> str:
    return ". ".join(SENTENCES[language]) + ". Hello world, this is English."


@asynccontextmanager
async def worker(settings: TurkicSettings) -> AsyncIterator[Events]:
    """A worker in this process (real handler, fast leases); the events reader."""
    async with open_components(settings) as components, open_redis(settings.redis_url) as redis:

        async def handle(payload: CorpusPayload, ctx: JobContext) -> CorpusResult:
            return await process_corpus(components, payload, ctx)

        async with running(redis, QUEUE, [corpus_task(settings).handler(handle)]):
            yield Events(redis, QUEUE)


async def post_job(client: HttpClient, **fields: JsonValue) -> str:
    body: dict[str, JsonValue] = {"user_id": 7, "source": "wikipedia", "language": "kk"}
    body.update(fields)
    response = await client.post(JOBS, json=body)
    assert response.status_code == 200, response.text
    accepted = json_object(response)
    assert accepted["status"] == "queued"
    assert accepted["user_id"] == 7
    job_id = accepted["job_id"]
    assert isinstance(job_id, str)
    return job_id


async def status(client: HttpClient, job_id: str) -> dict[str, JsonValue]:
    response = await client.get(f"{JOBS}/{job_id}")
    assert response.status_code == 200
    return json_object(response)


async def test_a_wikipedia_job_from_request_to_result(
    settings: TurkicSettings, fake_dumps: tuple[FakeDumps, RunningServer]
) -> None:
    fake_dumps[0].dumps["kk"] = make_dump([("A", wiki_text("kk"))])
    async with app_client(build_app(settings)) as client, worker(settings) as events:
        job_id = await post_job(client, max_sentences=3)
        await events.finished(job_id, timeout_s=WAIT_S)
        view = await status(client, job_id)
        result = await client.get(f"{JOBS}/{job_id}/result")
    assert events.of(job_id)[0] == "started"
    assert events.of(job_id)[-1] == "completed"
    percents = [e.progress for e in events.seen if isinstance(e, JobProgress)]
    assert percents == sorted(percents)
    assert percents[-1] == 99
    assert view["status"] == "completed"
    assert view["progress"] == 100
    assert view["upload_status"] == "uploaded"
    assert view["result_url"] == f"{JOBS}/{job_id}/result"
    assert view["error"] is None
    assert result.status_code == 200
    assert result.headers["content-disposition"] == f'attachment; filename="result_{job_id}.txt"'
    assert result.headers["content-type"] == "text/plain; charset=utf-8"
    expected = [transliterate(s, "kk") for s in SENTENCES["kk"][:3]]
    assert result.text.splitlines() == expected
    completed = events.event(job_id, "completed")
    assert isinstance(completed, JobCompleted)
    assert completed.result_id == view["file_id"]
    assert completed.result_bytes == len(result.content)


async def test_results_the_bank_lost_or_cannot_give_and_corrupt_statuses(
    make_settings: MakeSettings, fake_dumps: tuple[FakeDumps, RunningServer]
) -> None:
    settings = make_settings()
    fake_dumps[0].dumps["kk"] = make_dump([("A", wiki_text("kk"))])
    async with app_client(build_app(settings)) as client, worker(settings) as events:
        job_id = await post_job(client, max_sentences=1)
        await events.finished(job_id, timeout_s=WAIT_S)
        file_id = (await status(client, job_id))["file_id"]
        assert isinstance(file_id, str)
        async with DataBankClient(settings.data_bank_url, BANK_KEY) as bank:
            await bank.delete(file_id)
        expired = await client.get(f"{JOBS}/{job_id}/result")
        async with open_redis(settings.redis_url) as redis:
            await redis.hset(Queue(redis, QUEUE).keys.job(job_id), {"progress": "lots"})
            corrupt = await client.get(f"{JOBS}/{job_id}")
    down = make_settings(bank_url=f"http://127.0.0.1:{free_port()}")
    async with app_client(build_app(down)) as client, open_redis(settings.redis_url) as redis:
        await redis.hset(Queue(redis, QUEUE).keys.job(job_id), {"progress": "100"})
        unreachable = await client.get(f"{JOBS}/{job_id}/result")
    assert (expired.status_code, json_object(expired)["message"]) == (410, "Job result expired")
    assert corrupt.status_code == 500
    assert json_object(corrupt)["message"] == f"job {job_id} has a corrupt status"
    assert unreachable.status_code == 502
    assert str(json_object(unreachable)["message"]).startswith("data bank failed: ")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def failure(events: Events, job_id: str) -> JobFailed:
    await events.finished(job_id, timeout_s=WAIT_S)
    failed = events.event(job_id, "failed")
    assert isinstance(failed, JobFailed)
    return failed


async def test_the_cache_is_reused_only_for_the_same_corpus(
    settings: TurkicSettings, fake_dumps: tuple[FakeDumps, RunningServer]
) -> None:
    fake, _ = fake_dumps
    fake.dumps["tr"] = make_dump([("A", wiki_text("tr"))])
    async with app_client(build_app(settings)) as client, worker(settings) as events:
        first = await post_job(client, language="tr", transliterate=False, max_sentences=2)
        await events.finished(first, timeout_s=WAIT_S)
        again = await post_job(client, language="tr", transliterate=False, max_sentences=2)
        await events.finished(again, timeout_s=WAIT_S)
        assert fake.requests == 1
        other = await post_job(client, language="tr", transliterate=False, max_sentences=3)
        await events.finished(other, timeout_s=WAIT_S)
        assert fake.requests == 2
        cached = (await status(client, again))["message"]
        results = [(await client.get(f"{JOBS}/{job}/result")).text for job in (first, again, other)]
    assert cached == "done" or isinstance(cached, str)
    assert results[0] == results[1] == "\n".join(SENTENCES["tr"][:2]) + "\n"
    assert results[2].splitlines() == list(SENTENCES["tr"][:3])


@pytest.mark.parametrize("source", ["oscar", "culturax"])
async def test_dataset_sources(settings: TurkicSettings, source: str) -> None:
    async with app_client(build_app(settings)) as client, worker(settings) as events:
        job_id = await post_job(client, source=source, language="fi", script="Latn")
        await events.finished(job_id, timeout_s=WAIT_S)
        result = await client.get(f"{JOBS}/{job_id}/result")
    assert result.text.splitlines() == [transliterate(s, "fi") for s in SENTENCES["fi"]]


async def test_failures_end_the_job_failed_with_a_message(
    settings: TurkicSettings, fake_dumps: tuple[FakeDumps, RunningServer]
) -> None:
    fake, _ = fake_dumps
    fake.dumps["az"] = make_dump([("A", wiki_text("en"))])
    async with app_client(build_app(settings)) as client, worker(settings) as events:
        missing = await post_job(client, language="ky")
        empty = await post_job(client, language="az")
        download = await failure(events, missing)
        nothing = await failure(events, empty)
        view = await status(client, missing)
        result = await client.get(f"{JOBS}/{missing}/result")
    assert download.error_kind == "system"
    assert "Wikipedia dump download failed" in download.message
    assert "HTTP 404" in download.message
    assert nothing.error_kind == "user"
    assert nothing.message == "No sentences were written for the requested corpus"
    assert view["status"] == "failed"
    assert view["error"] == download.message
    assert view["result_url"] is None
    assert result.status_code == 410
    assert json_object(result)["code"] == "JOB_FAILED"


async def test_an_upload_failure_fails_the_job(
    make_settings: MakeSettings, fake_dumps: tuple[FakeDumps, RunningServer]
) -> None:
    fake_dumps[0].dumps["kk"] = make_dump([("A", wiki_text("kk"))])
    wrong_key = make_settings(bank_key="wrong")
    async with app_client(build_app(wrong_key)) as client, worker(wrong_key) as events:
        job_id = await post_job(client)
        failed = await failure(events, job_id)
    assert failed.error_kind == "system"
    assert failed.message.startswith("upload failed: ")


async def test_cancelling_a_job(
    settings: TurkicSettings, fake_dumps: tuple[FakeDumps, RunningServer]
) -> None:
    fake_dumps[0].dumps["kk"] = make_dump([("A", wiki_text("kk"))])
    async with (
        app_client(build_app(settings)) as client,
        open_redis(settings.redis_url) as redis,
    ):
        job_id = await post_job(client)
        assert await Queue(redis, QUEUE).cancel(job_id) == "cancelled"
        view = await status(client, job_id)
        early = await client.get(f"{JOBS}/{job_id}/result")
    assert view["status"] == "failed"
    assert view["error"] == "cancelled: cancelled by request"
    assert early.status_code == 410


async def test_result_while_running_and_unknown_jobs(settings: TurkicSettings) -> None:
    async with app_client(build_app(settings)) as client:
        job_id = await post_job(client)
        queued = await client.get(f"{JOBS}/{job_id}/result")
        view = await status(client, job_id)
        unknown = await client.get(f"{JOBS}/nope")
        unknown_result = await client.get(f"{JOBS}/nope/result")
    assert queued.status_code == 425
    assert json_object(queued)["message"] == "Job not completed"
    assert (view["status"], view["progress"], view["file_id"]) == ("queued", 0, None)
    assert unknown.status_code == unknown_result.status_code == 404
    assert json_object(unknown) == {
        "code": "JOB_NOT_FOUND",
        "message": "Job not found",
        "request_id": unknown.headers["x-request-id"],
    }
