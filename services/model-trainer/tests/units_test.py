"""Small pieces: settings, events, run logs, handler helpers."""

import pathlib

import pytest
from pydantic import SecretStr

from model_trainer.families import ModelLoadError, ModelSpec, build_model, save_language_model
from model_trainer.handlers import Handlers, classified
from model_trainer.jobs import ArtifactRef, TokenizerPayload, TrainPayload, trainer_tasks
from model_trainer.runlog import RunLog, read_new_lines, tail_lines
from model_trainer.sessions import ChatSessions
from model_trainer.settings import TrainerSettings, load_trainer_settings
from model_trainer.storage import StorageError, Store
from model_trainer.text_tokenizers import CharTokenizer
from model_trainer_events import TRAINER_METRICS, TrainerMetricsConfig
from platform_core import async_events
from platform_core.async_events import EventPublisher
from platform_core.config import ConfigError
from platform_core.data_bank_client import DataBankClient
from platform_workers.async_queue import SystemFailureError, UserError
from platform_workers.async_redis import open_redis


def test_settings_from_the_environment() -> None:
    settings = load_trainer_settings(
        {
            "REDIS_URL": "redis://h:1/0",
            "API_KEY": "k",
            "DATA_BANK_URL": "http://b",
            "DATA_BANK_API_KEY": "d",
        }
    )
    assert settings.port == 8005
    assert settings.runs_dir == pathlib.Path("/data/artifacts/runs")
    with pytest.raises(ConfigError, match="DATA_BANK_URL"):
        load_trainer_settings({"REDIS_URL": "redis://h:1/0", "API_KEY": "k"})


def test_metrics_events_keep_the_platform_wire_shape() -> None:
    event = TrainerMetricsConfig(
        job_id="r",
        user_id=1,
        model_family="gpt2",
        model_size="nano",
        total_epochs=2,
        queue="trainer",
    )
    assert event.type == "trainer.metrics.config.v1"
    assert TRAINER_METRICS.get(event.type) is TrainerMetricsConfig
    assert async_events.decode_event(async_events.encode_event(event), TRAINER_METRICS) == event
    assert async_events.encode_event(event) == (
        '{"type":"trainer.metrics.config.v1","job_id":"r","user_id":1,"model_family":"gpt2",'
        '"model_size":"nano","total_epochs":2,"queue":"trainer"}'
    )


def test_run_logs_append_lines_and_read_back(tmp_path: pathlib.Path) -> None:
    log = RunLog(tmp_path / "run" / "logs.jsonl")
    log.write("a", {"x": 1})
    log.write("b", {})
    log.close()
    log.close()
    assert tail_lines(log.path, 1) == (['{"event":"b"}'], 34)
    with log.path.open("a") as file:
        file.write('{"partial"')
    assert read_new_lines(log.path, 20) == (['{"event":"b"}'], 34)


async def fails(error: Exception) -> None:
    raise error


@pytest.mark.parametrize(
    ("error", "kind", "message"),
    [
        (StorageError("system", "bank down"), SystemFailureError, "bank down"),
        (StorageError("user", "no corpus"), UserError, "no corpus"),
        (ModelLoadError("bad weights"), SystemFailureError, "bad weights"),
    ],
)
async def test_domain_failures_become_queue_failures(
    error: Exception, kind: type[Exception], message: str
) -> None:
    with pytest.raises(kind, match=message):
        await classified(fails(error))


def payload(**changes: object) -> TrainPayload:
    fields: dict[str, object] = {
        "run_id": "r",
        "model_family": "char_lstm",
        "model_size": "nano",
        "max_seq_len": 16,
        "num_epochs": 1,
        "batch_size": 2,
        "learning_rate": 0.1,
        "corpus_file_id": "c",
        "tokenizer_id": "t",
        "tokenizer": ArtifactRef(file_id="f", size=1, root="t"),
        "holdout_fraction": 0.1,
        "test_split_ratio": 0.1,
        "seed": 1,
        "pretrained_run_id": None,
        "pretrained": None,
        "freeze_embed": False,
        "gradient_clipping": 1.0,
        "optimizer": "adamw",
        "device": "auto",
        "precision": "auto",
        "early_stopping_patience": 1,
        "finetune_lr_cap": 0.01,
    }
    fields.update(changes)
    return TrainPayload.model_validate(fields)


async def test_handlers_cache_models_and_check_corpora(
    redis_url: str, tmp_path: pathlib.Path
) -> None:
    settings = TrainerSettings(
        redis_url=redis_url,
        api_key="k",
        data_bank_url="http://127.0.0.1:9",
        data_bank_api_key=SecretStr("k"),
        trainer_artifacts_root=tmp_path,
    )
    artifact = ArtifactRef(file_id="f", size=1, root="x")
    for run in ("a", "b"):
        model_dir = settings.runs_dir / run / "model"
        save_language_model(
            build_model(ModelSpec(family="char_lstm", size="nano", vocab_size=6, max_seq_len=8)),
            model_dir,
        )
        (model_dir / "tokenizer").mkdir()
        CharTokenizer(["a", "b"]).save(model_dir / "tokenizer")
    async with open_redis(redis_url) as redis, DataBankClient(settings.data_bank_url, "k") as bank:
        handlers = Handlers(
            settings,
            trainer_tasks(settings),
            Store(bank, max_corpus_bytes=10),
            EventPublisher(redis),
            ChatSessions(redis, 60),
            has_cuda=True,
            model_cache_size=1,
        )
        first, _ = await handlers._model("a", artifact)
        assert (await handlers._model("a", artifact))[0] is first
        await handlers._model("b", artifact)
        assert (await handlers._model("a", artifact))[0] is not first
        assert handlers._placement(payload()).device == "cuda"
        settings.corpus_cache.mkdir()
        (settings.corpus_cache / "empty.txt").write_text("\n \n")
        tokenizer_payload = TokenizerPayload(
            tokenizer_id="t",
            method="char",
            vocab_size=128,
            min_frequency=1,
            corpus_file_id="empty",
            holdout_fraction=0.1,
            seed=1,
        )
        with pytest.raises(UserError, match="corpus empty has no text"):
            await classified(handlers._tokenizer(tokenizer_payload))
