"""The Whisper adapter: the real OpenAI SDK against the fake API, retries made explicit."""

import logging
import pathlib
from collections.abc import AsyncIterator

import openai
import pytest

from platform_core.blocking import run_blocking
from transcript_api.errors import TranscriptError
from transcript_api.whisper import RetryPolicy, Segment, Whisper, make_openai_client
from transcript_api_testing.fake_openai import (
    FakeOpenAI,
    Reply,
    Upload,
    malformed,
    rate_limited,
    server_error,
    slow,
)


async def read_bytes(path: pathlib.Path) -> bytes:
    return await run_blocking(path.read_bytes)


class Sleeps:
    """Records the backoff waits instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture()
def audio(tmp_path: pathlib.Path, speech_webm: bytes) -> pathlib.Path:
    path = tmp_path / "audio.webm"
    path.write_bytes(speech_webm)
    return path


@pytest.fixture()
async def clients() -> AsyncIterator[list[openai.AsyncOpenAI]]:
    made: list[openai.AsyncOpenAI] = []
    yield made
    for client in made:
        await client.close()


def whisper(
    fake: FakeOpenAI,
    clients: list[openai.AsyncOpenAI],
    *,
    retries: int = 2,
    timeout_s: float = 30.0,
    sleep: Sleeps | None = None,
    key: str = "sk-test",
    base_url: str | None = None,
) -> Whisper:
    client = make_openai_client(key, base_url or fake.base_url, timeout_s)
    clients.append(client)
    return Whisper(
        client,
        timeout_s=timeout_s,
        retries=RetryPolicy(max_retries=retries),
        read_file=read_bytes,
        sleep=sleep or Sleeps(),
    )


async def test_transcribes_one_segment_per_tone(
    clients: list[openai.AsyncOpenAI],
    fake_openai: FakeOpenAI,
    audio: pathlib.Path,
    speech_webm: bytes,
) -> None:
    transcript = await whisper(fake_openai, clients).transcribe(audio)
    assert [s.text for s in transcript.segments] == ["tone 2s", "tone 3s", "tone 1s"]
    starts = [s.start for s in transcript.segments]
    assert starts == pytest.approx([0.0, 3.0, 7.0], abs=0.05)
    assert transcript.segments[1].duration == pytest.approx(3.0, abs=0.05)
    (upload,) = fake_openai.uploads
    assert (upload.filename, upload.content_type) == ("audio.webm", "audio/webm")
    assert (upload.model, upload.response_format) == ("whisper-1", "verbose_json")
    assert upload.data == speech_webm


async def test_429_then_200_is_retried_with_a_warning(
    clients: list[openai.AsyncOpenAI],
    fake_openai: FakeOpenAI,
    audio: pathlib.Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_openai.script.append(rate_limited(retry_after="0.25"))
    sleeps = Sleeps()
    with caplog.at_level(logging.WARNING, logger="transcript_api.whisper"):
        transcript = await whisper(fake_openai, clients, sleep=sleeps).transcribe(audio)
    assert len(transcript.segments) == 3
    assert fake_openai.attempts == 2
    assert sleeps.delays == [0.25]
    (record,) = [r for r in caplog.records if r.name == "transcript_api.whisper"]
    assert "attempt 1 of 3 for audio.webm failed" in record.getMessage()


async def test_without_retries_a_429_fails_at_once(
    clients: list[openai.AsyncOpenAI], fake_openai: FakeOpenAI, audio: pathlib.Path
) -> None:
    fake_openai.script.append(rate_limited())
    with pytest.raises(TranscriptError) as caught:
        await whisper(fake_openai, clients, retries=0).transcribe(audio)
    assert (caught.value.code, caught.value.kind) == ("EXTERNAL_SERVICE_ERROR", "system")
    assert caught.value.message.startswith("speech-to-text request failed with HTTP 429")
    assert fake_openai.attempts == 1


async def test_persistent_500_backs_off_exponentially_then_fails(
    clients: list[openai.AsyncOpenAI], fake_openai: FakeOpenAI, audio: pathlib.Path
) -> None:
    fake_openai.script.extend([server_error(), server_error(), server_error()])
    sleeps = Sleeps()
    with pytest.raises(TranscriptError) as caught:
        await whisper(fake_openai, clients, sleep=sleeps).transcribe(audio)
    assert caught.value.message.startswith("speech-to-text request failed with HTTP 500")
    assert fake_openai.attempts == 3
    assert sleeps.delays == [1.0, 2.0]


async def test_a_slow_answer_times_out(
    clients: list[openai.AsyncOpenAI], fake_openai: FakeOpenAI, audio: pathlib.Path
) -> None:
    fake_openai.script.append(slow(1.0))
    with pytest.raises(TranscriptError) as caught:
        await whisper(fake_openai, clients, retries=0, timeout_s=0.2).transcribe(audio)
    assert (caught.value.code, caught.value.kind) == ("TIMEOUT", "system")
    assert caught.value.message == "speech-to-text request timed out after 0.2 seconds"


async def test_a_slow_answer_within_the_timeout_succeeds(
    clients: list[openai.AsyncOpenAI], fake_openai: FakeOpenAI, audio: pathlib.Path
) -> None:
    fake_openai.script.append(slow(0.1))
    transcript = await whisper(fake_openai, clients, retries=0, timeout_s=10).transcribe(audio)
    assert len(transcript.segments) == 3


@pytest.mark.parametrize("media_type", ["application/json", "text/html"])
async def test_a_body_that_is_not_json_is_an_invalid_response(
    clients: list[openai.AsyncOpenAI], fake_openai: FakeOpenAI, audio: pathlib.Path, media_type: str
) -> None:
    fake_openai.script.append(malformed(media_type))
    with pytest.raises(TranscriptError) as caught:
        await whisper(fake_openai, clients).transcribe(audio)
    assert caught.value.code == "EXTERNAL_SERVICE_ERROR"
    assert caught.value.message.startswith("speech-to-text service sent an invalid response")
    assert fake_openai.attempts == 1


async def test_a_wrong_key_is_not_retried(
    clients: list[openai.AsyncOpenAI], fake_openai: FakeOpenAI, audio: pathlib.Path
) -> None:
    with pytest.raises(TranscriptError) as caught:
        await whisper(fake_openai, clients, key="sk-wrong").transcribe(audio)
    assert caught.value.message.startswith("speech-to-text request failed with HTTP 401")
    assert fake_openai.attempts == 1


async def test_an_unreachable_service_is_retried_then_fails(
    clients: list[openai.AsyncOpenAI],
    fake_openai: FakeOpenAI,
    audio: pathlib.Path,
    unused_tcp_port: int,
) -> None:
    sleeps = Sleeps()
    dead = whisper(
        fake_openai,
        clients,
        retries=1,
        sleep=sleeps,
        base_url=f"http://127.0.0.1:{unused_tcp_port}/v1",
    )
    with pytest.raises(TranscriptError) as caught:
        await dead.transcribe(audio)
    assert caught.value.message.startswith("cannot reach the speech-to-text service")
    assert sleeps.delays == [1.0]


async def test_a_response_without_segments(
    clients: list[openai.AsyncOpenAI], fake_openai: FakeOpenAI, audio: pathlib.Path
) -> None:
    async def no_segments(upload: Upload) -> dict[str, object]:
        return {"task": "transcribe", "language": "en", "duration": 1.0, "text": upload.filename}

    fake_openai.transcribe = no_segments
    with pytest.raises(TranscriptError) as caught:
        await whisper(fake_openai, clients).transcribe(audio)
    assert caught.value.message == "speech-to-text response has no segments"


async def test_blank_segments_are_dropped(
    clients: list[openai.AsyncOpenAI], fake_openai: FakeOpenAI, audio: pathlib.Path
) -> None:
    async def with_blank(upload: Upload) -> dict[str, object]:
        segment: dict[str, object] = {
            "id": 0,
            "seek": 0,
            "start": 0.0,
            "end": 1.0,
            "text": " hi ",
            "tokens": [1],
            "temperature": 0.0,
            "avg_logprob": -0.1,
            "compression_ratio": 1.0,
            "no_speech_prob": 0.0,
        }
        blank = {**segment, "id": 1, "start": 2.0, "end": 1.5, "text": "  "}
        return {
            "task": "transcribe",
            "language": "en",
            "duration": 2.0,
            "text": upload.filename,
            "segments": [segment, blank],
        }

    fake_openai.transcribe = with_blank
    transcript = await whisper(fake_openai, clients).transcribe(audio)
    assert transcript.segments == (Segment(start=0.0, end=1.0, text="hi"),)


def test_segment_duration_is_never_negative() -> None:
    assert Segment(start=2.0, end=1.0, text="x").duration == 0.0


@pytest.mark.parametrize(
    ("retry", "hint", "delay"),
    [(1, None, 1.0), (3, None, 4.0), (9, None, 30.0), (1, 2.5, 2.5), (1, 600.0, 60.0)],
)
def test_retry_delays(retry: int, hint: float | None, delay: float) -> None:
    assert RetryPolicy(max_retries=9).delay(retry, hint) == delay


@pytest.mark.parametrize(
    ("reply", "delay"),
    [
        (rate_limited("1500", header="retry-after-ms"), 1.5),
        (rate_limited("3"), 3.0),
        (Reply(status=503, headers={"retry-after-ms": "soon", "retry-after": "2"}), 2.0),
        (rate_limited("Wed, 21 Oct 2015 07:28:00 GMT"), 1.0),
        (rate_limited("-5"), 0.0),
        (Reply(status=502), 1.0),
    ],
)
async def test_the_servers_retry_hint_sets_the_wait(
    clients: list[openai.AsyncOpenAI],
    fake_openai: FakeOpenAI,
    audio: pathlib.Path,
    reply: Reply,
    delay: float,
) -> None:
    fake_openai.script.append(reply)
    sleeps = Sleeps()
    await whisper(fake_openai, clients, sleep=sleeps).transcribe(audio)
    assert sleeps.delays == [delay]


async def test_the_fake_refuses_what_the_real_api_refuses(
    clients: list[openai.AsyncOpenAI], fake_openai: FakeOpenAI, speech_webm: bytes
) -> None:
    client = make_openai_client("sk-test", fake_openai.base_url, 10.0)
    clients.append(client)
    data = speech_webm
    with pytest.raises(openai.BadRequestError, match="invalid model 'whisper-2'"):
        await client.audio.transcriptions.create(
            file=("a.webm", data), model="whisper-2", response_format="verbose_json"
        )
    with pytest.raises(openai.BadRequestError, match="expected response_format verbose_json"):
        await client.audio.transcriptions.create(file=("a.webm", data), model="whisper-1")
    with pytest.raises(openai.BadRequestError, match="file is empty"):
        await client.audio.transcriptions.create(
            file=("a.webm", b""), model="whisper-1", response_format="verbose_json"
        )
    with pytest.raises(openai.BadRequestError, match="file is required"):
        await client.audio.transcriptions.create(
            file=(None, data), model="whisper-1", response_format="verbose_json"
        )
    assert fake_openai.uploads == []
    assert Reply().status == 200
