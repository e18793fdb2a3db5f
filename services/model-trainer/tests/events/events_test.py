"""The `trainer.metrics.*.v1` models: types, strictness, the registry."""

import math

import pytest
from pydantic import ValidationError

from model_trainer_events import (
    TRAINER_METRICS,
    TrainerMetricsCompleted,
    TrainerMetricsConfig,
    TrainerMetricsProgress,
)


def test_each_model_has_its_type() -> None:
    assert sorted(cls.TYPE for cls in TRAINER_METRICS) == [
        "trainer.metrics.completed.v1",
        "trainer.metrics.config.v1",
        "trainer.metrics.progress.v1",
    ]
    completed = TrainerMetricsCompleted(
        job_id="r", user_id=1, test_loss=1.0, test_ppl=2.7, artifact_path="/a"
    )
    assert completed.type == "trainer.metrics.completed.v1"
    assert TRAINER_METRICS.get(completed.type) is TrainerMetricsCompleted


def test_fields_are_strict_and_finite() -> None:
    text = (
        '{"type":"trainer.metrics.progress.v1","job_id":"r","user_id":1,"epoch":1,'
        '"total_epochs":2,"step":3,"train_loss":1,"train_ppl":2.7,"grad_norm":0.5,'
        '"samples_per_sec":10.0}'
    )
    progress = TrainerMetricsProgress.model_validate_json(text)
    assert (progress.train_loss, progress.val_loss) == (1.0, None)
    with pytest.raises(ValidationError):
        TrainerMetricsConfig.model_validate_json(
            '{"job_id":"r","user_id":true,"model_family":"gpt2","model_size":"n",'
            '"total_epochs":1,"queue":"trainer"}'
        )
    with pytest.raises(ValidationError):
        TrainerMetricsCompleted(
            job_id="r", user_id=1, test_loss=math.inf, test_ppl=1.0, artifact_path="/a"
        )
    with pytest.raises(ValidationError):
        TrainerMetricsCompleted(job_id="", user_id=1, test_loss=1.0, test_ppl=1.0, artifact_path="")
