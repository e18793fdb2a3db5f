"""`POST /api/v1/jobs` refuses every client mistake with 400 and the original's message,
and what no job could fulfil; nothing is enqueued then."""

import pytest
from pydantic import JsonValue

from platform_core.http_testing import app_client, json_object
from platform_workers.async_queue import Queue
from platform_workers.async_redis import open_redis
from turkic_api.app import build_app
from turkic_api.jobs import QUEUE
from turkic_api.settings import TurkicSettings

BASE: dict[str, JsonValue] = {"user_id": 1, "source": "wikipedia", "language": "kk"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1, 2], "Invalid request body"),
        ({"source": "wikipedia", "language": "kk"}, "user_id must be an integer"),
        ({**BASE, "user_id": "7"}, "user_id must be an integer"),
        ({**BASE, "user_id": 1.5}, "user_id must be an integer"),
        ({**BASE, "user_id": True}, "user_id must be an integer"),
        ({"user_id": 1, "language": "kk"}, "source is required"),
        ({**BASE, "source": 3}, "source must be a string"),
        ({**BASE, "source": "web"}, "source must be one of: culturax, oscar, wikipedia"),
        ({**BASE, "language": "KK"}, "language must be one of: az, en, fi, kk, ky, tr, ug, uz"),
        ({**BASE, "script": "latn"}, "script must be one of: Arab, Cyrl, Latn"),
        ({**BASE, "max_sentences": 0}, "max_sentences must be >= 1"),
        ({**BASE, "max_sentences": 100_001}, "max_sentences must be <= 100000"),
        ({**BASE, "max_sentences": "5"}, "max_sentences must be an integer"),
        ({**BASE, "transliterate": "yes"}, "transliterate must be a boolean"),
        ({**BASE, "confidence_threshold": "high"}, "confidence_threshold must be a number"),
        ({**BASE, "confidence_threshold": False}, "confidence_threshold must be a number"),
        ({**BASE, "confidence_threshold": -0.1}, "confidence_threshold must be >= 0.0"),
        ({**BASE, "confidence_threshold": 1.5}, "confidence_threshold must be <= 1.0"),
        (
            {**BASE, "language": "en"},
            "IPA transliteration is not supported for 'en' (send transliterate: false)",
        ),
        (
            {**BASE, "language": "tr", "script": "Cyrl"},
            "script Cyrl is not available for language tr (available: Latn)",
        ),
    ],
)
async def test_client_mistakes_are_400_and_enqueue_nothing(
    settings: TurkicSettings, body: JsonValue, message: str
) -> None:
    async with app_client(build_app(settings)) as client, open_redis(settings.redis_url) as redis:
        response = await client.post("/api/v1/jobs", json=body)
        queued = await redis.xrange(Queue(redis, QUEUE).keys.stream)
    assert response.status_code == 400
    error = json_object(response)
    assert (error["code"], error["message"]) == ("INVALID_INPUT", message)
    assert queued == []


async def test_defaults_and_accepted_values(settings: TurkicSettings) -> None:
    async with app_client(build_app(settings)) as client:
        english_body: dict[str, JsonValue] = {
            **BASE,
            "language": "en",
            "transliterate": False,
            "script": None,
            "confidence_threshold": 1,
            "max_sentences": 100_000,
            "unknown": "ignored",
        }
        latin_body: dict[str, JsonValue] = {**BASE, "script": "Latn"}
        english = await client.post("/api/v1/jobs", json=english_body)
        latin_kazakh = await client.post("/api/v1/jobs", json=latin_body)
        bad_json = await client.post(
            "/api/v1/jobs", content=b"{", headers={"content-type": "application/json"}
        )
    assert english.status_code == latin_kazakh.status_code == 200
    assert bad_json.status_code == 400
