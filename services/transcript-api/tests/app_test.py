"""The HTTP API in-process (httpx ASGI transport), with real Redis, the fakes and, where a
job must run, the worker in the same event loop."""

import asyncio
import json
import pathlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

import pytest

from platform_core.async_events import JobCompleted, JobFailed, JobProgress
from platform_core.http_testing import HttpClient, HttpResponse, app_client, json_object
from platform_workers.async_queue import Queue, Task
from platform_workers.async_queue_testing import wait_until
from platform_workers.async_redis import open_redis
from platform_workers.testing.redis_server import RedisServer
from transcript_api.app import JobView, build_app
from transcript_api.jobs import SttPayload
from transcript_api.settings import TranscriptSettings
from transcript_api.worker import run
from transcript_api_testing.audio import make_audio, silence
from transcript_api_testing.events import job_events
from transcript_api_testing.fake_openai import FakeOpenAI, server_error, slow
from transcript_api_testing.fake_youtube import FakeSubtitle, FakeVideo, FakeYouTube

VID = "abcdefghijk"
URL = f"https://youtu.be/{VID}"
CANONICAL = f"https://www.youtube.com/watch?v={VID}"
EN = FakeSubtitle("vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHello <i>there</i>\n")
DE = FakeSubtitle("vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n")


@pytest.fixture()
async def client(settings: TranscriptSettings) -> AsyncIterator[HttpClient]:
    async with app_client(build_app(settings)) as http:
        yield http


class MakeSettings(Protocol):
    """The `make_settings` fixture."""

    def __call__(self, *, max_video_seconds: int = 0) -> TranscriptSettings: ...


@asynccontextmanager
async def running_worker(settings: TranscriptSettings) -> AsyncIterator[None]:
    """The worker in this event loop, from its heartbeat's first beat until the block ends."""
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, stop=stop))
    async with open_redis(settings.redis_url) as redis:
        queue = Queue(redis, "transcript")
        await wait_until(lambda: has_workers(queue))
    try:
        yield
    finally:
        stop.set()
        await task


async def has_workers(queue: Queue) -> bool:
    return await queue.live_workers() > 0


@pytest.fixture()
async def worker(settings: TranscriptSettings) -> AsyncIterator[None]:
    async with running_worker(settings):
        yield


async def post(client: HttpClient, path: str, body: object) -> HttpResponse:
    """POST `body` as JSON."""
    return await client.post(
        path, content=json.dumps(body), headers={"content-type": "application/json"}
    )


def error(response: HttpResponse) -> tuple[int, str, str]:
    body = json_object(response)
    assert body["request_id"] == response.headers["x-request-id"]
    return response.status_code, str(body["code"]), str(body["message"])


# --- captions ---------------------------------------------------------------------------


async def test_captions(client: HttpClient, fake_youtube: FakeYouTube) -> None:
    fake_youtube.add(FakeVideo(VID, subtitles={"de": [DE], "en": [EN]}))
    response = await post(client, "/v1/captions", {"url": URL})
    assert response.status_code == 200
    assert json_object(response) == {"url": CANONICAL, "video_id": VID, "text": "Hello there"}


async def test_captions_in_a_preferred_language(
    client: HttpClient, fake_youtube: FakeYouTube
) -> None:
    fake_youtube.add(FakeVideo(VID, subtitles={"de": [DE], "en": [EN]}))
    response = await post(client, "/v1/captions", {"url": URL, "preferred_langs": ["de"]})
    assert json_object(response)["text"] == "Hallo"
    response = await post(client, "/v1/captions", {"url": URL, "preferred_langs": None})
    assert json_object(response)["text"] == "Hello there"


async def test_no_captions(client: HttpClient, fake_youtube: FakeYouTube) -> None:
    fake_youtube.add(FakeVideo(VID))
    response = await post(client, "/v1/captions", {"url": URL})
    assert error(response) == (
        404,
        "TRANSCRIPT_UNAVAILABLE",
        f"No captions available for video {VID}",
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"url": " "}, (400, "YOUTUBE_URL_REQUIRED", "Please provide a YouTube URL")),
        (
            {"url": "https://vimeo.com/1"},
            (400, "YOUTUBE_URL_UNSUPPORTED", "Only YouTube URLs are supported"),
        ),
        ({}, (400, "INVALID_INPUT", "body.url: Field required")),
        (
            {"url": URL, "preferred_langs": "en"},
            (400, "INVALID_INPUT", "body.preferred_langs: Input should be a valid array"),
        ),
    ],
)
async def test_captions_input_errors(
    client: HttpClient, body: dict[str, object], expected: tuple[int, str, str]
) -> None:
    assert error(await post(client, "/v1/captions", body)) == expected


async def test_malformed_json_is_400(client: HttpClient) -> None:
    response = await client.post(
        "/v1/stt/jobs", content=b"{not json", headers={"content-type": "application/json"}
    )
    status, code, _ = error(response)
    assert (status, code) == (400, "INVALID_JSON")


# --- synchronous STT --------------------------------------------------------------------


async def test_sync_stt(client: HttpClient, fake_youtube: FakeYouTube, speech_webm: bytes) -> None:
    fake_youtube.add(FakeVideo(VID, duration=8.0, audio=speech_webm))
    response = await post(client, "/v1/stt", {"url": URL})
    assert response.status_code == 200
    assert json_object(response) == {
        "url": CANONICAL,
        "video_id": VID,
        "text": "tone 2s tone 3s tone 1s",
    }


async def test_sync_stt_refuses_videos_over_its_bound(
    client: HttpClient, fake_youtube: FakeYouTube, fake_openai: FakeOpenAI
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=301.0))
    response = await post(client, "/v1/stt", {"url": URL})
    assert error(response) == (
        413,
        "PAYLOAD_TOO_LARGE",
        "Video is longer than 300 seconds, the limit of POST /v1/stt: use POST /v1/stt/jobs",
    )
    assert fake_youtube.requests == [f"/info/{VID}"]
    assert fake_openai.attempts == 0


async def test_sync_stt_keeps_the_stt_limits(
    make_settings: MakeSettings, fake_youtube: FakeYouTube
) -> None:
    limited = make_settings(max_video_seconds=60)
    fake_youtube.add(FakeVideo(VID, duration=61.0))
    async with app_client(build_app(limited)) as client:
        response = await post(client, "/v1/stt", {"url": URL})
    assert error(response) == (400, "STT_TOO_LONG", "Video is too long for STT (>60 seconds).")


async def test_upstream_failures_are_502_and_a_whisper_timeout_504(
    settings: TranscriptSettings,
    fake_youtube: FakeYouTube,
    fake_openai: FakeOpenAI,
    speech_webm: bytes,
) -> None:
    quick: dict[str, object] = {
        "transcript_stt_timeout_seconds": 0.3,
        "transcript_stt_max_retries": 0,
    }
    impatient = settings.model_copy(update=quick)
    async with app_client(build_app(impatient)) as client:
        unknown = error(await post(client, "/v1/captions", {"url": URL}))
        fake_youtube.add(FakeVideo(VID, duration=8.0, audio=speech_webm))
        fake_openai.script.append(server_error())
        failed = error(await post(client, "/v1/stt", {"url": URL}))
        fake_openai.script.append(slow(2.0))
        timed_out = error(await post(client, "/v1/stt", {"url": URL}))
    status, code, message = unknown
    assert (status, code) == (502, "EXTERNAL_SERVICE_ERROR")
    assert message.startswith(f"YouTube probe failed for video {VID}: ")
    status, code, message = failed
    assert (status, code) == (502, "EXTERNAL_SERVICE_ERROR")
    assert message.startswith("speech-to-text request failed with HTTP 500")
    assert timed_out == (504, "TIMEOUT", "speech-to-text request timed out after 0.3 seconds")


# --- jobs -------------------------------------------------------------------------------


async def test_a_job_is_queued_and_readable_at_once(client: HttpClient) -> None:
    response = await post(client, "/v1/stt/jobs", {"url": URL, "user_id": 42})
    assert response.status_code == 202
    accepted = json_object(response)
    assert accepted == {
        "job_id": accepted["job_id"],
        "user_id": 42,
        "status": "queued",
        "url": CANONICAL,
    }
    status = await client.get(f"/v1/stt/jobs/{accepted['job_id']}")
    assert status.status_code == 200
    assert json_object(status) == {
        "job_id": accepted["job_id"],
        "user_id": 42,
        "status": "queued",
        "progress": 0,
        "message": None,
        "url": CANONICAL,
        "video_id": VID,
        "error": None,
        "text": None,
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("just a string", (400, "INVALID_INPUT", "Request body must be a JSON object")),
        ([URL, 1], (400, "INVALID_INPUT", "Request body must be a JSON object")),
        ({"user_id": 1}, (400, "INVALID_INPUT", "url is required")),
        ({"url": "  ", "user_id": 1}, (400, "INVALID_INPUT", "url is required")),
        ({"url": 5, "user_id": 1}, (400, "INVALID_INPUT", "url is required")),
        ({"url": None, "user_id": "x"}, (400, "INVALID_INPUT", "url is required")),
        ({"url": URL}, (400, "INVALID_INPUT", "user_id must be an integer")),
        ({"url": URL, "user_id": "1"}, (400, "INVALID_INPUT", "user_id must be an integer")),
        ({"url": URL, "user_id": 1.5}, (400, "INVALID_INPUT", "user_id must be an integer")),
        ({"url": URL, "user_id": True}, (400, "INVALID_INPUT", "user_id must be an integer")),
        (
            {"url": "https://vimeo.com/1", "user_id": None},
            (400, "INVALID_INPUT", "user_id must be an integer"),
        ),
        (
            {"url": "https://www.youtube.com/watch", "user_id": 1},
            (400, "YOUTUBE_VIDEO_ID_INVALID", "Could not extract a valid YouTube video id"),
        ),
    ],
)
async def test_job_input_errors(
    client: HttpClient, body: object, expected: tuple[int, str, str]
) -> None:
    assert error(await post(client, "/v1/stt/jobs", body)) == expected


async def test_an_unknown_job(client: HttpClient) -> None:
    assert error(await client.get("/v1/stt/jobs/nope")) == (404, "NOT_FOUND", "Job not found")


async def test_a_job_of_another_task_is_not_found(
    client: HttpClient, settings: TranscriptSettings
) -> None:
    other = Task("transcript.other", SttPayload, SttPayload)
    async with open_redis(settings.redis_url) as redis:
        job = await Queue(redis, "transcript").enqueue(
            other, SttPayload(url=CANONICAL, video_id=VID), user_id=1
        )
    assert (await client.get(f"/v1/stt/jobs/{job.job_id}")).status_code == 404


async def test_a_corrupt_job_is_an_internal_error(
    client: HttpClient, settings: TranscriptSettings
) -> None:
    response = await post(client, "/v1/stt/jobs", {"url": URL, "user_id": 1})
    job_id = str(json_object(response)["job_id"])
    async with open_redis(settings.redis_url) as redis:
        await redis.hset(Queue(redis, "transcript").keys.job(job_id), {"payload": "{"})
    assert error(await client.get(f"/v1/stt/jobs/{job_id}")) == (
        500,
        "INTERNAL_ERROR",
        f"job {job_id} has a corrupt status",
    )


async def test_redis_down_is_503_not_500_and_captions_still_work(
    client: HttpClient, redis_server: RedisServer, fake_youtube: FakeYouTube
) -> None:
    fake_youtube.add(FakeVideo(VID, subtitles={"en": [EN]}))
    redis_server.stop()
    posted = await post(client, "/v1/stt/jobs", {"url": URL, "user_id": 1})
    read = await client.get("/v1/stt/jobs/some-job")
    for response in (posted, read):
        status, code, message = error(response)
        assert (status, code) == (503, "SERVICE_UNAVAILABLE")
        assert message.startswith("job store unavailable: ")
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert str(json_object(ready)["reason"]).startswith("redis unreachable")
    assert (await post(client, "/v1/captions", {"url": URL})).status_code == 200


async def test_a_stalled_redis_is_503_within_the_timeout(
    client: HttpClient, redis_server: RedisServer
) -> None:
    redis_server.command("CLIENT", "PAUSE", "4000", "ALL")
    try:
        async with asyncio.timeout(3.5):
            response = await client.get("/v1/stt/jobs/some-job")
    finally:
        redis_server.command("CLIENT", "UNPAUSE")
    status, code, message = error(response)
    assert (status, code) == (503, "SERVICE_UNAVAILABLE")
    assert "job store unavailable" in message


async def test_not_ready_without_a_worker(client: HttpClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert json_object(response) == {"status": "degraded", "reason": "no-worker"}


async def test_not_ready_when_the_worker_count_fails(
    client: HttpClient, redis_server: RedisServer
) -> None:
    redis_server.command("CLIENT", "PAUSE", "4000", "WRITE")  # PING passes, EVAL waits
    try:
        response = await client.get("/readyz")
    finally:
        redis_server.command("CLIENT", "UNPAUSE")
    assert response.status_code == 503
    assert str(json_object(response)["reason"]).startswith("redis error: ")


# --- a job run by the worker ---------------------------------------------------------------


@pytest.mark.usefixtures("worker")
async def test_a_job_runs_to_completion(
    client: HttpClient,
    settings: TranscriptSettings,
    fake_youtube: FakeYouTube,
    speech_webm: bytes,
) -> None:
    assert (await client.get("/readyz")).status_code == 200
    fake_youtube.add(FakeVideo(VID, duration=8.0, audio=speech_webm))
    response = await post(client, "/v1/stt/jobs", {"url": URL, "user_id": 7})
    job_id = str(json_object(response)["job_id"])
    async with open_redis(settings.redis_url) as redis:
        events = await job_events(redis, job_id)
    assert [e.kind for e in events] == ["started", *["progress"] * 4, "completed"]
    progress = [(e.progress, e.message) for e in events if isinstance(e, JobProgress)]
    assert progress == [
        (5, "probing video"),
        (10, "downloading audio"),
        (40, "transcribing 1 chunk(s)"),
        (90, "transcribed 1/1 chunks"),
    ]
    completed = events[-1]
    assert isinstance(completed, JobCompleted)
    assert (completed.user_id, completed.result_id, completed.result_bytes) == (7, VID, 23)
    view = JobView.model_validate_json((await client.get(f"/v1/stt/jobs/{job_id}")).content)
    assert (view.status, view.progress, view.text, view.error) == (
        "completed",
        100,
        "tone 2s tone 3s tone 1s",
        None,
    )


async def test_a_user_error_ends_the_job_failed(
    make_settings: MakeSettings, fake_youtube: FakeYouTube
) -> None:
    limited = make_settings(max_video_seconds=60)
    fake_youtube.add(FakeVideo(VID, duration=3600.0))
    async with running_worker(limited), app_client(build_app(limited)) as client:
        response = await post(client, "/v1/stt/jobs", {"url": URL, "user_id": 7})
        job_id = str(json_object(response)["job_id"])
        async with open_redis(limited.redis_url) as redis:
            events = await job_events(redis, job_id)
        view = JobView.model_validate_json((await client.get(f"/v1/stt/jobs/{job_id}")).content)
    failed = events[-1]
    assert isinstance(failed, JobFailed)
    assert (failed.error_kind, failed.message) == (
        "user",
        "Video is too long for STT (>60 seconds).",
    )
    assert (view.status, view.error, view.text) == ("failed", failed.message, None)


@pytest.mark.usefixtures("worker")
async def test_a_job_with_nothing_said_completes_with_empty_text(
    client: HttpClient,
    settings: TranscriptSettings,
    fake_youtube: FakeYouTube,
    tmp_path: pathlib.Path,
) -> None:
    quiet = await make_audio(tmp_path / "quiet.webm", [silence(3)])
    fake_youtube.add(FakeVideo(VID, duration=3.0, audio=quiet.read_bytes()))
    response = await post(client, "/v1/stt/jobs", {"url": URL, "user_id": 7})
    job_id = str(json_object(response)["job_id"])
    async with open_redis(settings.redis_url) as redis:
        events = await job_events(redis, job_id)
    assert isinstance(events[-1], JobCompleted)
    view = JobView.model_validate_json((await client.get(f"/v1/stt/jobs/{job_id}")).content)
    assert (view.status, view.text, view.error) == ("completed", "", None)


@pytest.mark.usefixtures("worker")
async def test_a_provider_failure_ends_the_job_failed(
    client: HttpClient,
    settings: TranscriptSettings,
    fake_youtube: FakeYouTube,
    fake_openai: FakeOpenAI,
    speech_webm: bytes,
) -> None:
    fake_youtube.add(FakeVideo(VID, duration=8.0, audio=speech_webm))
    fake_openai.script.extend([server_error(), server_error(), server_error()])
    response = await post(client, "/v1/stt/jobs", {"url": URL, "user_id": 7})
    job_id = str(json_object(response)["job_id"])
    async with open_redis(settings.redis_url) as redis:
        events = await job_events(redis, job_id)
    failed = events[-1]
    assert isinstance(failed, JobFailed)
    assert failed.error_kind == "system"
    assert failed.message.startswith("speech-to-text request failed with HTTP 500")
    view = JobView.model_validate_json((await client.get(f"/v1/stt/jobs/{job_id}")).content)
    assert view.status == "failed"
    assert view.error == failed.message
