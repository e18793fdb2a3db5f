"""End to end: the API and worker as processes, real Redis, the fake YouTube and OpenAI.

A job goes from `POST /v1/stt/jobs` to completed text; its lifecycle events are read
with the platform's events subscriber (`read_events`).
"""

import asyncio
import json
import os
import pathlib
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import pytest
from pydantic import BaseModel, ConfigDict

from platform_core.async_events import JobCompleted, JobProgress, JobStarted
from platform_core.blocking import run_blocking
from platform_core.http_testing import HttpClient, http_client, json_object
from platform_workers.async_queue_testing import wait_until
from platform_workers.async_redis import open_redis
from transcript_api.app import JobView
from transcript_api_testing.events import job_events
from transcript_api_testing.fake_openai import FakeOpenAI, rate_limited
from transcript_api_testing.fake_youtube import (
    FAKE_YOUTUBE_ENV,
    FakeSubtitle,
    FakeVideo,
    FakeYouTube,
)

VID = "e2eVideo_01"
EN = FakeSubtitle("srt", "1\n00:00:00,000 --> 00:00:01,000\nEnd to end\n")


@asynccontextmanager
async def process(
    module: str, env: Mapping[str, str], log: pathlib.Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m module` with `env`, its output in `log`; SIGTERM at the end (exit 0)."""
    with log.open("wb") as out:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, env=dict(env), stdout=out, stderr=out
        )
    try:
        yield child
    finally:
        if child.returncode is None:
            child.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            status = await child.wait()
        output = await run_blocking(log.read_text)
        assert status == 0, output


class LogLine(BaseModel):
    """The part of a JSON log line this test reads."""

    model_config = ConfigDict(extra="ignore")

    message: str
    url: str | None = None


def listening_url(log: pathlib.Path) -> str | None:
    """The URL from the server's `listening` log line, once it is there."""
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            record = LogLine.model_validate_json(line)
            if record.message == "listening":
                return record.url
    return None


def as_json(body: dict[str, object]) -> str:
    return json.dumps(body)


async def ready(client: HttpClient) -> bool:
    return (await client.get("/readyz")).status_code == 200


@pytest.fixture()
def environment(
    redis_url: str, fake_youtube: FakeYouTube, fake_openai: FakeOpenAI, tmp_path: pathlib.Path
) -> dict[str, str]:
    work = tmp_path / "work"
    work.mkdir()
    return {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join(sys.path),
        "HOME": str(tmp_path),
        "REDIS_URL": redis_url,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": fake_openai.base_url,
        FAKE_YOUTUBE_ENV: os.environ[FAKE_YOUTUBE_ENV],
        "HOST": "127.0.0.1",
        "PORT": "0",
        "SHUTDOWN_GRACE_S": "5",
        "TRANSCRIPT_WORK_DIR": str(work),
        "TRANSCRIPT_STT_MAX_RETRIES": "1",
    }


async def test_a_job_from_post_to_completed_text(
    *,
    environment: dict[str, str],
    fake_youtube: FakeYouTube,
    fake_openai: FakeOpenAI,
    speech_webm: bytes,
    tmp_path: pathlib.Path,
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=8.0, audio=speech_webm, subtitles={"en": [EN]}))
    fake_openai.script.append(rate_limited("0"))  # one 429, retried by the worker
    api_log, worker_log = tmp_path / "api.log", tmp_path / "worker.log"
    async with (
        process("transcript_api.server", environment, api_log),
        process("transcript_api.worker", environment, worker_log),
    ):
        await wait_until(lambda: run_blocking(lambda: listening_url(api_log) is not None), 60)
        url = listening_url(api_log)
        assert url is not None
        async with http_client(url) as client:
            await wait_until(lambda: ready(client), 60)
            captions = await client.post(
                "/v1/captions", content=as_json({"url": f"youtu.be/{VID}"})
            )
            assert json_object(captions)["text"] == "End to end"
            posted = await client.post(
                "/v1/stt/jobs",
                content=as_json({"url": f"https://www.youtube.com/shorts/{VID}", "user_id": 9}),
            )
            assert posted.status_code == 202
            job_id = str(json_object(posted)["job_id"])
            async with open_redis(environment["REDIS_URL"]) as redis:
                events = await job_events(redis, job_id, timeout_s=60)
            view = JobView.model_validate_json((await client.get(f"/v1/stt/jobs/{job_id}")).content)
    started, *progress, completed = events
    assert isinstance(started, JobStarted)
    assert (started.type, started.user_id, started.queue) == (
        "transcript.job.started.v1",
        9,
        "transcript",
    )
    assert [(p.progress, p.message) for p in progress if isinstance(p, JobProgress)] == [
        (5, "probing video"),
        (10, "downloading audio"),
        (40, "transcribing 1 chunk(s)"),
        (90, "transcribed 1/1 chunks"),
    ]
    assert isinstance(completed, JobCompleted)
    assert (completed.type, completed.result_id, completed.result_bytes) == (
        "transcript.job.completed.v1",
        VID,
        len(b"tone 2s tone 3s tone 1s"),
    )
    assert view == JobView(
        job_id=job_id,
        user_id=9,
        status="completed",
        progress=100,
        message=view.message,
        url=f"https://www.youtube.com/watch?v={VID}",
        video_id=VID,
        error=None,
        text="tone 2s tone 3s tone 1s",
    )
    assert fake_openai.attempts == 2
    assert "retrying" in await run_blocking(worker_log.read_text)
