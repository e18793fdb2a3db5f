"""Every client mistake the API refuses, in the platform envelope (no worker running)."""

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from model_trainer.app import build_app
from model_trainer.jobs import ArtifactRef, TokenizerPayload, TrainPayload, trainer_tasks
from model_trainer.settings import TrainerSettings
from platform_core.http_testing import HttpClient, HttpResponse, json_object, running_server
from platform_workers.async_queue import Queue
from platform_workers.async_redis import open_redis
from tests.trainer_support import HEADERS, DataBank, body, changed


@pytest.fixture()
async def corpus(data_bank: DataBank) -> str:
    return await data_bank.upload("one\ntwo\nthree\nfour\n")


@pytest.fixture()
async def client(settings: TrainerSettings) -> AsyncIterator[HttpClient]:
    async with running_server(build_app(settings)) as server, server.client() as http:
        http.headers.update(HEADERS)
        yield http


async def queued_tokenizer(settings: TrainerSettings, corpus: str) -> str:
    """A tokenizer job that stays queued (no worker runs in these tests)."""
    payload = TokenizerPayload(
        tokenizer_id="tok-queued",
        method="char",
        vocab_size=128,
        min_frequency=1,
        corpus_file_id=corpus,
        holdout_fraction=0.1,
        seed=1,
    )
    async with open_redis(settings.redis_url) as redis:
        queue = Queue(redis, "trainer")
        await queue.enqueue(
            trainer_tasks(settings).tokenizer, payload, user_id=0, job_id="tok-queued"
        )
    return "tok-queued"


async def queued_run(settings: TrainerSettings, corpus: str) -> str:
    """A training job that stays queued."""
    artifact = ArtifactRef(file_id="f" * 64, size=1, root="tok")
    payload = TrainPayload(
        run_id="char_lstm-nano-queued",
        model_family="char_lstm",
        model_size="nano",
        max_seq_len=32,
        num_epochs=1,
        batch_size=4,
        learning_rate=0.01,
        corpus_file_id=corpus,
        tokenizer_id="tok",
        tokenizer=artifact,
        holdout_fraction=0.1,
        test_split_ratio=0.1,
        seed=1,
        pretrained_run_id=None,
        pretrained=None,
        freeze_embed=False,
        gradient_clipping=1.0,
        optimizer="adamw",
        device="auto",
        precision="auto",
        early_stopping_patience=2,
        finetune_lr_cap=1e-4,
    )
    async with open_redis(settings.redis_url) as redis:
        await Queue(redis, "trainer").enqueue(
            trainer_tasks(settings).train, payload, user_id=3, job_id=payload.run_id
        )
    return payload.run_id


def expect(answer: HttpResponse, status: int, code: str, message: str = "") -> None:
    assert answer.status_code == status, answer.text
    envelope = json_object(answer)
    assert envelope["code"] == code, envelope
    assert message in str(envelope["message"])


async def test_keys_are_required_except_on_health(client: HttpClient) -> None:
    assert (await client.get("/healthz")).status_code == 200
    refused = await client.get("/runs/x", headers={"X-API-Key": ""})
    expect(refused, 401, "UNAUTHORIZED")
    expect(await client.get("/runs/x", headers={"X-API-Key": "wrong"}), 401, "UNAUTHORIZED")


async def test_malformed_and_invalid_bodies_are_400(client: HttpClient, corpus: str) -> None:
    expect(await client.post("/runs/train", content=b"{not json"), 400, "INVALID_JSON")
    extra = body(corpus_file_id=corpus, bogus=1)
    expect(await client.post("/runs/train", content=extra), 400, "INVALID_INPUT", "bogus")
    epochs = body(corpus_file_id=corpus, num_epochs=0)
    expect(await client.post("/runs/train", content=epochs), 400, "INVALID_INPUT", "num_epochs")
    tok = body(corpus_file_id=corpus, vocab_size=10)
    expect(await client.post("/tokenizers/train", content=tok), 400, "INVALID_INPUT", "vocab_size")


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        ({"model_family": "llama"}, "UNSUPPORTED_BACKEND", "llama is not available"),
        ({"model_family": "qwen"}, "UNSUPPORTED_BACKEND", "qwen"),
        ({"model_size": "huge"}, "INVALID_MODEL_SIZE", "one of nano, tiny, mini, small"),
        ({"model_family": "char_lstm", "model_size": "xl"}, "INVALID_MODEL_SIZE", "char_lstm"),
        ({"device": "cpu", "precision": "bf16"}, "INVALID_INPUT", "needs CUDA"),
    ],
)
async def test_models_the_worker_cannot_train_are_refused(
    client: HttpClient, corpus: str, fields: dict[str, str], code: str, message: str
) -> None:
    answer = await client.post("/runs/train", content=body(corpus_file_id=corpus, **fields))
    expect(answer, 400, code, message)


async def test_missing_tokenizers_corpora_and_base_runs(
    client: HttpClient, settings: TrainerSettings, corpus: str
) -> None:
    def train(**fields: str) -> str:
        return body(corpus_file_id=corpus, model_size="nano", **fields)

    expect(await client.post("/runs/train", content=train()), 404, "TOKENIZER_NOT_FOUND")
    missing = await client.post("/runs/train", content=train(tokenizer_id="tok-none"))
    expect(missing, 404, "TOKENIZER_NOT_FOUND", "tok-none")
    tok = await queued_tokenizer(settings, corpus)
    expect(
        await client.post("/runs/train", content=train(tokenizer_id=tok)), 409, "CONFLICT", "queued"
    )
    view = json_object(await client.get(f"/tokenizers/{tok}"))
    assert (view["status"], view["coverage"], view["file_id"]) == ("queued", None, None)
    expect(await client.get("/tokenizers/tok-nope"), 404, "TOKENIZER_NOT_FOUND")
    expect(await client.get(f"/runs/{tok}"), 404, "RUN_NOT_FOUND")
    no_corpus = body(corpus_file_id="0" * 64, method="char")
    expect(await client.post("/tokenizers/train", content=no_corpus), 404, "CORPUS_NOT_FOUND")


async def test_a_corpus_over_the_limit_is_413(settings: TrainerSettings, corpus: str) -> None:
    small = changed(settings, trainer_max_corpus_bytes=5)
    async with running_server(build_app(small)) as server, server.client() as client:
        answer = await client.post(
            "/tokenizers/train", content=body(corpus_file_id=corpus), headers=HEADERS
        )
    expect(answer, 413, "CORPUS_TOO_LARGE", "over the limit of 5")


async def test_an_unreachable_data_bank_is_502(settings: TrainerSettings, corpus: str) -> None:
    down = changed(settings, data_bank_url="http://127.0.0.1:9", data_bank_api_key=SecretStr("k"))
    async with running_server(build_app(down)) as server, server.client() as client:
        answer = await client.post(
            "/tokenizers/train", content=body(corpus_file_id=corpus), headers=HEADERS
        )
    expect(answer, 502, "EXTERNAL_SERVICE_ERROR", "corpus fetch failed")


async def test_unknown_runs_requests_and_sessions_are_404(client: HttpClient) -> None:
    for method, path in [
        ("GET", "/runs/r1"),
        ("POST", "/runs/r1/cancel"),
        ("GET", "/runs/r1/artifact"),
        ("GET", "/runs/r1/eval"),
        ("GET", "/runs/r1/logs"),
        ("GET", "/runs/r1/logs/stream"),
        ("GET", "/runs/r1/score/q1"),
        ("GET", "/runs/r1/generate/q1"),
        ("GET", "/runs/r1/chat/s1/q1"),
        ("GET", "/runs/r1/chat/s1"),
        ("DELETE", "/runs/r1/chat/s1"),
    ]:
        answer = await client.request(method, path)
        assert answer.status_code == 404, (method, path, answer.text)
    for path, fields in [
        ("/runs/r1/evaluate", {"split": "test"}),
        ("/runs/r1/score", {"text": "a"}),
        ("/runs/r1/generate", {"prompt_text": "a"}),
        ("/runs/r1/chat", {"message": "a"}),
    ]:
        expect(await client.post(path, content=body(**fields)), 404, "RUN_NOT_FOUND")


@pytest.mark.parametrize(
    ("path", "fields", "message"),
    [
        ("score", {}, "exactly one of text and path"),
        ("score", {"text": "a", "path": "b"}, "exactly one of text and path"),
        ("generate", {}, "exactly one of prompt_text and prompt_path"),
        ("generate", {"prompt_text": "a", "max_new_tokens": 2000}, "max_new_tokens"),
        ("chat", {"message": ""}, "message"),
        ("evaluate", {"split": "train"}, "split"),
    ],
)
async def test_inference_inputs_are_checked(
    client: HttpClient, path: str, fields: dict[str, object], message: str
) -> None:
    answer = await client.post(f"/runs/r1/{path}", content=body(**fields))
    expect(answer, 400, "INVALID_INPUT", message)


async def test_corrupt_state_is_a_500_naming_it(
    client: HttpClient, settings: TrainerSettings
) -> None:
    async with open_redis(settings.redis_url) as redis:
        await redis.hset("{trainer}:job:broken", {"status": "nonsense"})
        await redis.set("trainer:chat:r1:s1", "not json")
    expect(
        await client.get("/runs/broken"), 500, "INTERNAL_ERROR", "job broken has a corrupt status"
    )
    expect(
        await client.get("/runs/r1/chat/s1"), 500, "INTERNAL_ERROR", "chat session s1 is corrupt"
    )


async def test_a_queued_run_has_no_artifact_and_takes_no_requests(
    client: HttpClient, settings: TrainerSettings, corpus: str
) -> None:
    run_id = await queued_run(settings, corpus)
    view = json_object(await client.get(f"/runs/{run_id}"))
    assert (view["status"], view["progress"], view["artifact_file_id"]) == ("queued", 0, None)
    expect(await client.get(f"/runs/{run_id}/artifact"), 404, "DATA_NOT_FOUND")
    for path, fields in [
        ("evaluate", {"split": "test"}),
        ("score", {"text": "a"}),
        ("generate", {"prompt_text": "a"}),
        ("chat", {"message": "a"}),
    ]:
        answer = await client.post(f"/runs/{run_id}/{path}", content=body(**fields))
        expect(answer, 409, "CONFLICT", "is queued, not completed")
    blank = await client.post("/runs/train", content=body(corpus_file_id=" "))
    expect(blank, 404, "CORPUS_NOT_FOUND", "corpus_file_id is required")
    cancelled = await client.post(f"/runs/{run_id}/cancel")
    assert json_object(cancelled) == {"status": "cancellation-requested"}
    view = json_object(await client.get(f"/runs/{run_id}"))
    assert view["status"] == "failed"
