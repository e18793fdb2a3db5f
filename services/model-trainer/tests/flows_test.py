"""Runs that do not simply succeed: cancelled mid-run while a client follows the logs,
fine-tuned from a run whose files are only in data-bank-api, failing in the worker."""

import asyncio
import shutil

from model_trainer.settings import TrainerSettings
from platform_core.http_testing import HttpClient, json_object
from platform_workers.async_queue_testing import wait_until
from platform_workers.async_redis import open_redis
from tests.trainer_support import (
    DataBank,
    LogLine,
    api,
    body,
    finished,
    service,
    tokenizer,
    train_body,
    worker,
)


async def follow(client: HttpClient, path: str) -> list[str]:
    """The `data:` lines of an SSE stream, read until the server ends it."""
    async with client.stream("GET", path, params={"tail": "1"}) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        return [
            line.removeprefix("data: ")
            async for line in answer.aiter_lines()
            if line.startswith("data: ")
        ]


async def test_a_cancelled_run_stops_and_its_log_stream_ends(
    settings: TrainerSettings, data_bank: DataBank, corpus_text: str
) -> None:
    corpus = await data_bank.upload(corpus_text)
    async with service(settings) as client:
        tok = await tokenizer(client, corpus)
        posted = await client.post(
            "/runs/train", content=train_body(corpus, tok, max_steps=None, num_epochs=50)
        )
        run_id = str(json_object(posted)["run_id"])

        async def training() -> bool:
            view = json_object(await client.get(f"/runs/{run_id}"))
            return view["status"] == "running" and view["message"] == "training"

        await wait_until(training, 120)
        following = asyncio.create_task(follow(client, f"/runs/{run_id}/logs/stream"))
        await asyncio.sleep(1.0)
        cancelled = await client.post(f"/runs/{run_id}/cancel")
        assert json_object(cancelled) == {"status": "cancellation-requested"}
        view = await finished(client, f"/runs/{run_id}")
        lines = await asyncio.wait_for(following, 30)
        again = await client.post(f"/runs/{run_id}/cancel")
        assert again.status_code == 409
    assert view["status"] == "failed"
    assert "Training cancelled" in str(view["error"])
    events = [LogLine.model_validate_json(line).event for line in lines]
    assert "step" in events
    assert events[-1] == "cancelled"


async def test_fine_tuning_fetches_the_base_run_from_the_data_bank(
    settings: TrainerSettings, data_bank: DataBank, small_corpus: str
) -> None:
    corpus = await data_bank.upload(small_corpus)
    async with service(settings) as client:
        tok = await tokenizer(client, corpus)
        first = json_object(await client.post("/runs/train", content=train_body(corpus, tok)))
        base = str(first["run_id"])
        assert (await finished(client, f"/runs/{base}"))["status"] == "completed"
        shutil.rmtree(settings.runs_dir / base)
        tuned = await client.post(
            "/runs/train",
            content=train_body(corpus, tok, pretrained_run_id=base, freeze_embed=True),
        )
        run_id = str(json_object(tuned)["run_id"])
        view = await finished(client, f"/runs/{run_id}")
        assert view["status"] == "completed", view
        assert (settings.runs_dir / base / "model" / "model.safetensors").is_file()
        bpe = await tokenizer(client, corpus, "bpe")
        mismatch = await client.post(
            "/runs/train", content=train_body(corpus, bpe, pretrained_run_id=base)
        )
        failed = await finished(client, f"/runs/{json_object(mismatch)['run_id']}")
    assert failed["status"] == "failed"
    assert "vocabulary" in str(failed["error"])


async def test_worker_failures_end_the_run_failed(
    settings: TrainerSettings, data_bank: DataBank, small_corpus: str
) -> None:
    corpus = await data_bank.upload(small_corpus)
    async with service(settings) as client:
        tok = await tokenizer(client, corpus)
        cuda = await client.post("/runs/train", content=train_body(corpus, tok, device="cuda"))
        view = await finished(client, f"/runs/{json_object(cuda)['run_id']}")
        assert view["status"] == "failed"
        assert view["error"] == "CUDA requested but not available"
        logs = await client.get(f"/runs/{json_object(cuda)['run_id']}/logs")
        assert LogLine.model_validate_json(logs.text.splitlines()[-1]).event == "failed"
    async with api(settings) as client:
        queued = await client.post("/runs/train", content=train_body(corpus, tok))
        run_id = str(json_object(queued)["run_id"])
        async with data_bank.client() as bank:
            await bank.delete(corpus)
        shutil.rmtree(settings.corpus_cache)
        async with worker(settings):
            view = await finished(client, f"/runs/{run_id}")
    assert view["status"] == "failed"
    assert view["error"] == f"corpus {corpus} not found"


async def test_inputs_from_the_data_root_and_missing_sessions(
    settings: TrainerSettings, data_bank: DataBank, small_corpus: str
) -> None:
    corpus = await data_bank.upload(small_corpus)
    (settings.trainer_data_root / "prompt.txt").write_text("A day")
    (settings.trainer_data_root / "eval.txt").write_text(small_corpus)
    async with service(settings) as client:
        tok = await tokenizer(client, corpus)
        run = json_object(await client.post("/runs/train", content=train_body(corpus, tok)))
        run_id = str(run["run_id"])
        assert (await finished(client, f"/runs/{run_id}"))["status"] == "completed"
        scored = await client.post(f"/runs/{run_id}/score", content=body(path="prompt.txt"))
        path = f"/runs/{run_id}/score/{json_object(scored)['request_id']}"
        assert (await finished(client, path))["status"] == "completed"
        escape = await client.post(f"/runs/{run_id}/score", content=body(path="../x"))
        path = f"/runs/{run_id}/score/{json_object(escape)['request_id']}"
        assert (await finished(client, path))["status"] == "failed"
        gen = await client.post(
            f"/runs/{run_id}/generate", content=body(prompt_path="prompt.txt", temperature=0)
        )
        path = f"/runs/{run_id}/generate/{json_object(gen)['request_id']}"
        assert (await finished(client, path))["status"] == "completed"
        evaluated = await client.post(
            f"/runs/{run_id}/evaluate", content=body(split="validation", path_override="eval.txt")
        )
        assert evaluated.status_code == 200
        assert (await finished(client, f"/runs/{run_id}/eval"))["status"] == "completed"
        other = await client.get(f"/runs/other/score/{json_object(scored)['request_id']}")
        assert other.status_code == 404
        tail = await client.get(f"/runs/{run_id}/logs/stream", params={"follow": "false"})
        assert tail.text.count("data: ") == len(
            (await client.get(f"/runs/{run_id}/logs")).text.splitlines()
        )
        assert await tokenizer(client, corpus) == tok
    async with api(settings) as client:
        chat = json_object(await client.post(f"/runs/{run_id}/chat", content=body(message="hi")))
        session = str(chat["session_id"])
        again = await client.post(
            f"/runs/{run_id}/chat", content=body(message="and?", session_id=session)
        )
        assert again.status_code == 200
        async with open_redis(settings.redis_url) as redis:
            await redis.delete(f"trainer:chat:{run_id}:{session}")
        async with worker(settings):
            turn = await finished(client, f"/runs/{run_id}/chat/{session}/{chat['request_id']}")
        missing = await client.post(
            f"/runs/{run_id}/chat", content=body(message="x", session_id=session)
        )
    assert turn["status"] == "failed"
    assert missing.status_code == 404
