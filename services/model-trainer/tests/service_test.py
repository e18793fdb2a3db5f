"""The service end to end in one process: the app over real HTTP, the worker's loop, a
real Redis and a real data-bank-api (child process), real toy-size training."""

from model_trainer.settings import TrainerSettings
from model_trainer_events import TRAINER_METRICS, TrainerMetricsCompleted
from platform_core.async_events import FROM_BEGINNING, EventReader
from platform_core.http_testing import json_object
from platform_workers.async_redis import open_redis
from tests.trainer_support import DataBank, LogLine, body, finished, service


async def test_tokenizers_runs_and_inference(
    settings: TrainerSettings, data_bank: DataBank, small_corpus: str
) -> None:
    corpus = await data_bank.upload(small_corpus)
    async with service(settings) as client:
        ids = {}
        for method in ("char", "bpe", "sentencepiece"):
            posted = await client.post(
                "/tokenizers/train",
                content=body(method=method, vocab_size=200, corpus_file_id=corpus),
            )
            assert posted.status_code == 200, posted.text
            ids[method] = str(json_object(posted)["tokenizer_id"])
        for method, tok in ids.items():
            view = await finished(client, f"/tokenizers/{tok}")
            assert view["status"] == "completed", (method, view)
            assert view["coverage"] == 1.0
        run_ids = {}
        for family, tok in (("gpt2", ids["bpe"]), ("char_lstm", ids["char"])):
            posted = await client.post(
                "/runs/train",
                content=body(
                    model_family=family,
                    model_size="nano",
                    max_seq_len=32,
                    batch_size=8,
                    learning_rate=0.01,
                    corpus_file_id=corpus,
                    tokenizer_id=tok,
                    holdout_fraction=0.1,
                    test_split_ratio=0.1,
                    max_steps=3,
                    user_id=7,
                ),
            )
            assert posted.status_code == 200, posted.text
            run_ids[family] = str(json_object(posted)["run_id"])
        for family, run_id in run_ids.items():
            view = await finished(client, f"/runs/{run_id}")
            assert view["status"] == "completed", (family, view)
            assert run_id.startswith(f"{family}-nano-")
        run_id = run_ids["char_lstm"]
        artifact = json_object(await client.get(f"/runs/{run_id}/artifact"))
        assert artifact["storage"] == "data-bank"
        logs = await client.get(f"/runs/{run_id}/logs", params={"tail": "2"})
        lines = logs.text.splitlines()
        assert [LogLine.model_validate_json(line).event for line in lines] == ["epoch", "completed"]
        evaluated = await client.post(f"/runs/{run_id}/evaluate", content=body(split="test"))
        assert json_object(evaluated)["status"] == "queued"
        view = await finished(client, f"/runs/{run_id}/eval")
        assert (view["status"], view["split"]) == ("completed", "test")
        scored = await client.post(
            f"/runs/{run_id}/score", content=body(text="A day for firm decisions", top_k=2)
        )
        score = await finished(client, f"/runs/{run_id}/score/{json_object(scored)['request_id']}")
        assert score["status"] == "completed"
        generated = await client.post(
            f"/runs/{run_ids['gpt2']}/generate",
            content=body(prompt_text="A day", max_new_tokens=5, seed=1, num_return_sequences=2),
        )
        request = json_object(generated)["request_id"]
        gen = await finished(client, f"/runs/{run_ids['gpt2']}/generate/{request}")
        assert gen["status"] == "completed"
        chatted = await client.post(
            f"/runs/{run_id}/chat", content=body(message="hi", max_new_tokens=4)
        )
        turn = json_object(chatted)
        session = turn["session_id"]
        reply = await finished(client, f"/runs/{run_id}/chat/{session}/{turn['request_id']}")
        assert reply["status"] == "completed"
        history = json_object(await client.get(f"/runs/{run_id}/chat/{session}"))
        assert history["messages"] == [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": reply["response"]},
        ]
        deleted = await client.delete(f"/runs/{run_id}/chat/{session}")
        assert json_object(deleted) == {"status": "cancellation-requested"}
    types = await trainer_event_types(settings.redis_url, completed=2)
    assert "trainer.metrics.config.v1" in types
    assert "trainer.metrics.progress.v1" in types
    assert "trainer.job.started.v1" in types


async def trainer_event_types(redis_url: str, *, completed: int) -> list[str]:
    """The `trainer` stream's event types, up to the `completed`-th metrics completed."""
    types: list[str] = []
    async with open_redis(redis_url) as redis:
        reader = EventReader(redis, {"trainer": FROM_BEGINNING}, types=TRAINER_METRICS)
        async for received in reader:
            types.append(received.event.type)
            if isinstance(received.event, TrainerMetricsCompleted):
                completed -= 1
                if not completed:
                    break
    return types
