"""The fake OpenAI transcription API, driven by the real SDK (and raw HTTP for what the SDK
never sends)."""

import pathlib
from collections.abc import AsyncIterator

import openai
import pytest
from openai.types.audio import TranscriptionVerbose

from platform_core.blocking import run_blocking
from platform_core.http_testing import http_client, json_object
from transcript_api_testing.audio import make_audio, silence, tone
from transcript_api_testing.fake_openai import (
    FakeOpenAI,
    Upload,
    error_body,
    malformed,
    rate_limited,
    server_error,
    slow,
)


@pytest.fixture()
async def audio(tmp_path: pathlib.Path) -> bytes:
    path = await make_audio(tmp_path / "a.webm", [tone(1), silence(1), tone(2, 660)])
    return await run_blocking(path.read_bytes)


@pytest.fixture()
async def client(fake_openai: FakeOpenAI) -> AsyncIterator[openai.AsyncOpenAI]:
    sdk = openai.AsyncOpenAI(api_key="sk-test", base_url=fake_openai.base_url, max_retries=0)
    yield sdk
    await sdk.close()


async def transcribe(client: openai.AsyncOpenAI, audio: bytes) -> TranscriptionVerbose:
    return await client.audio.transcriptions.create(
        file=("a.webm", audio, "audio/webm"), model="whisper-1", response_format="verbose_json"
    )


async def test_a_verbose_transcription_of_the_tones(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI, audio: bytes
) -> None:
    result = await transcribe(client, audio)
    assert result.text == "tone 1s tone 2s"
    assert result.duration == pytest.approx(4.0, abs=0.05)
    assert [(s.id, s.text) for s in result.segments or []] == [(0, " tone 1s"), (1, " tone 2s")]
    (upload,) = fake_openai.uploads
    assert upload == Upload("a.webm", "audio/webm", audio, "whisper-1", "verbose_json")


async def test_scripted_failures_then_the_normal_answer(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI, audio: bytes
) -> None:
    fake_openai.script.extend([rate_limited("7"), server_error(), malformed(), slow(0.05)])
    with pytest.raises(openai.RateLimitError) as limited:
        await transcribe(client, audio)
    assert limited.value.response.headers["retry-after"] == "7"
    with pytest.raises(openai.InternalServerError):
        await transcribe(client, audio)
    with pytest.raises(ValueError, match="Expecting value"):
        await transcribe(client, audio)
    assert (await transcribe(client, audio)).text == "tone 1s tone 2s"
    assert fake_openai.attempts == 4
    assert fake_openai.max_in_flight == 1
    assert len(fake_openai.uploads) == 1


async def test_requests_the_real_api_refuses(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI, audio: bytes
) -> None:
    wrong_key = openai.AsyncOpenAI(api_key="sk-nope", base_url=fake_openai.base_url, max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="Incorrect API key provided"):
        await transcribe(wrong_key, audio)
    await wrong_key.close()
    with pytest.raises(openai.BadRequestError, match="invalid model 'tiny'"):
        await client.audio.transcriptions.create(
            file=("a.webm", audio), model="tiny", response_format="verbose_json"
        )
    with pytest.raises(openai.BadRequestError, match="got 'text'"):
        await client.audio.transcriptions.create(
            file=("a.webm", audio), model="whisper-1", response_format="text"
        )
    with pytest.raises(openai.BadRequestError, match="file is required"):
        await client.audio.transcriptions.create(
            file=(None, audio), model="whisper-1", response_format="verbose_json"
        )
    with pytest.raises(openai.BadRequestError, match="file is empty"):
        await client.audio.transcriptions.create(
            file=("a.webm", b""), model="whisper-1", response_format="verbose_json"
        )
    async with http_client(fake_openai.base_url.removesuffix("/v1")) as raw:
        response = await raw.post(
            "/v1/audio/transcriptions",
            content=b"{}",
            headers={"authorization": "Bearer sk-test", "content-type": "application/json"},
        )
    assert response.status_code == 400
    assert json_object(response) == error_body(
        "expected multipart/form-data", "invalid_request_error"
    )
    assert fake_openai.uploads == []
