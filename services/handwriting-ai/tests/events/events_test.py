"""The `digits.metrics.*.v1` models: types, domain, wire shape, strictness, the registry."""

import math

import pytest
from pydantic import ValidationError

from handwriting_ai_events import (
    DIGITS_EVENTS,
    DigitsMetricsBatch,
    DigitsMetricsBest,
    DigitsMetricsCompleted,
    DigitsMetricsConfig,
)
from platform_core.async_events import (
    UnknownEventTypeError,
    decode_event,
    encode_event,
)


def test_each_model_has_its_type_and_the_digits_domain() -> None:
    assert sorted(cls.TYPE for cls in DIGITS_EVENTS) == [
        "digits.metrics.artifact.v1",
        "digits.metrics.batch.v1",
        "digits.metrics.best.v1",
        "digits.metrics.completed.v1",
        "digits.metrics.config.v1",
        "digits.metrics.epoch.v1",
        "digits.metrics.upload.v1",
    ]
    assert {cls.domain for cls in DIGITS_EVENTS} == {"digits"}
    best = DigitsMetricsBest(job_id="j", user_id=1, model_id="m", epoch=2, val_acc=0.5)
    assert best.type == "digits.metrics.best.v1"
    assert DIGITS_EVENTS.get(best.type) is DigitsMetricsBest


def test_wire_text_is_type_first_with_unset_options_left_out() -> None:
    config = DigitsMetricsConfig(
        job_id="j", user_id=7, model_id="m", total_epochs=3, queue="digits", batch_size=8
    )
    text = encode_event(config)
    assert text == (
        '{"type":"digits.metrics.config.v1","job_id":"j","user_id":7,"model_id":"m",'
        '"total_epochs":3,"queue":"digits","batch_size":8}'
    )
    assert decode_event(text, DIGITS_EVENTS) == config
    with pytest.raises(UnknownEventTypeError):
        decode_event(text)


def test_fields_are_strict_and_finite() -> None:
    with pytest.raises(ValidationError):
        DigitsMetricsCompleted.model_validate_json(
            '{"job_id":"j","user_id":true,"model_id":"m","val_acc":0.9}'
        )
    with pytest.raises(ValidationError):
        DigitsMetricsCompleted(job_id="j", user_id=1, model_id="m", val_acc=math.nan)
    with pytest.raises(ValidationError):
        DigitsMetricsCompleted(job_id="", user_id=1, model_id="m", val_acc=0.9)
    batch = DigitsMetricsBatch.model_validate_json(
        '{"job_id":"j","user_id":1,"model_id":"m","epoch":1,"total_epochs":1,"batch":1,'
        '"total_batches":2,"batch_loss":1,"batch_acc":0.5,"avg_loss":1.0,'
        '"samples_per_sec":3.0,"main_rss_mb":10,"workers_rss_mb":0,"worker_count":0,'
        '"cgroup_usage_mb":1,"cgroup_limit_mb":2,"cgroup_pct":50.0,"anon_mb":1,"file_mb":0}'
    )
    assert (batch.batch_loss, batch.total_batches) == (1.0, 2)
