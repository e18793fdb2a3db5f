"""A local stand-in for OpenAI's `POST /v1/audio/transcriptions`, reached by the real SDK
through `OPENAI_BASE_URL` (`{url}/v1`).

It checks the request as the real API would: the bearer key, a multipart body with
`model=whisper-1`, `response_format=verbose_json` and a non-empty `file` with a
filename; a mistake is a 4xx with OpenAI's error body. A good request is answered with
a `verbose_json` transcription made from the audio itself: one segment per tone
between silences (`tone_spans`), so chunk offsets can be checked after merging.

Failures are scripted: `script` is a queue of `Reply`s consumed one per request (429
with `retry-after`, 500, a slow answer, a body that is not JSON); when it is empty the
answer is the normal one. `uploads` records every accepted request, `attempts` counts
requests and `max_in_flight` is the most requests it was answering at once.
"""

import asyncio
import pathlib
import tempfile
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from platform_core.blocking import run_blocking
from transcript_api_testing.audio import audio_duration, tone_spans

TRANSCRIPTIONS_PATH = "/v1/audio/transcriptions"


@dataclass(frozen=True, slots=True)
class Upload:
    """An accepted transcription request."""

    filename: str
    content_type: str | None
    data: bytes
    model: str
    response_format: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted answer: an error `status` (200 = the normal answer), after `delay_s`,
    optionally with a body that is not JSON, with extra `headers`."""

    status: int = 200
    delay_s: float = 0.0
    malformed: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    media_type: str = "application/json"


def rate_limited(retry_after: str = "0", header: str = "retry-after") -> Reply:
    """429 with a `retry-after` (or `retry-after-ms`) header, as the real API sends it."""
    return Reply(status=429, headers={header: retry_after})


def server_error() -> Reply:
    """500 `server_error`."""
    return Reply(status=500)


def slow(delay_s: float) -> Reply:
    """The normal answer, after `delay_s` seconds."""
    return Reply(delay_s=delay_s)


def malformed(media_type: str = "application/json") -> Reply:
    """200 with a body that is not JSON (declared as `media_type`), as a broken proxy sends."""
    return Reply(malformed=True, media_type=media_type)


def error_body(message: str, kind: str, code: str | None = None) -> dict[str, object]:
    """OpenAI's error envelope."""
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _json(body: Mapping[str, object], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


async def tone_transcription(upload: Upload) -> dict[str, object]:
    """A `verbose_json` body with one segment per tone of the uploaded audio."""
    with tempfile.TemporaryDirectory(prefix="fake-openai-") as scratch:
        path = pathlib.Path(scratch) / upload.filename
        await run_blocking(path.write_bytes, upload.data)
        duration = await audio_duration(path)
        spans = await tone_spans(path)
    segments: list[dict[str, object]] = [
        {
            "id": index,
            "seek": 0,
            "start": round(start, 3),
            "end": round(end, 3),
            "text": f" tone {end - start:.0f}s",
            "tokens": [50364 + index],
            "temperature": 0.0,
            "avg_logprob": -0.25,
            "compression_ratio": 1.0,
            "no_speech_prob": 0.01,
        }
        for index, (start, end) in enumerate(spans)
    ]
    text: str = "".join(f" tone {end - start:.0f}s" for start, end in spans).strip()
    return {
        "task": "transcribe",
        "language": "english",
        "duration": round(duration, 3),
        "text": text,
        "segments": segments,
        "usage": {"type": "duration", "seconds": round(duration)},
    }


class RejectedError(Exception):
    """A request the real API would refuse: `status`, `message`, OpenAI's `code`."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


Transcribe = Callable[[Upload], Awaitable[Mapping[str, object]]]


class FakeOpenAI:
    """The fake's state (`script`, `uploads`, `attempts`) and its Starlette app (`app`)."""

    def __init__(
        self, *, api_key: str = "sk-test", transcribe: Transcribe = tone_transcription
    ) -> None:
        self.api_key = api_key
        self.transcribe = transcribe
        self.script: deque[Reply] = deque()
        self.uploads: list[Upload] = []
        self.attempts = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.base_url = ""
        self.app = Starlette(routes=[Route(TRANSCRIPTIONS_PATH, self._create, methods=["POST"])])

    async def _parse(self, request: Request) -> Upload:
        await request.body()  # read it all, as the real API does before answering
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            raise RejectedError(401, "Incorrect API key provided", "invalid_api_key")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise RejectedError(400, "expected multipart/form-data")
        async with request.form() as form:
            model = form.get("model")
            response_format = form.get("response_format")
            file = form.get("file")
            if model != "whisper-1":
                raise RejectedError(400, f"invalid model {model!r}")
            if response_format != "verbose_json":
                raise RejectedError(
                    400, f"expected response_format verbose_json, got {response_format!r}"
                )
            if not isinstance(file, UploadFile) or not file.filename:
                raise RejectedError(400, "file is required")
            data = await file.read()
            if not data:
                raise RejectedError(400, "file is empty")
            return Upload(
                filename=file.filename,
                content_type=file.content_type,
                data=data,
                model=model,
                response_format=response_format,
            )

    async def _create(self, request: Request) -> Response:
        self.attempts += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: Request) -> Response:
        try:
            parsed = await self._parse(request)
        except RejectedError as rejected:
            body = error_body(rejected.message, "invalid_request_error", rejected.code)
            return _json(body, rejected.status)
        reply = self.script.popleft() if self.script else Reply()
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        if reply.status == 429:
            body = error_body("Rate limit reached", "requests", "rate_limit_exceeded")
            return JSONResponse(body, status_code=429, headers=dict(reply.headers))
        if reply.status != 200:
            body = error_body("The server had an error", "server_error")
            return JSONResponse(body, status_code=reply.status, headers=dict(reply.headers))
        if reply.malformed:
            return Response("<html>not json", media_type=reply.media_type)
        self.uploads.append(parsed)
        return _json(await self.transcribe(parsed))
