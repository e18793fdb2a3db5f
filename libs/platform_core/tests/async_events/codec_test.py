"""The wire format of every event type, and a precise error for every kind of bad input."""

import json

import pytest
from pydantic import ValidationError

from platform_core.async_events import (
    DOMAINS,
    JOB_KINDS,
    DigitsMetricsEpoch,
    DomainMismatchError,
    Event,
    EventDecodeError,
    InvalidEventError,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobStarted,
    TrainerMetricsProgress,
    UnknownEventTypeError,
    decode_event,
    encode_event,
)
from platform_core.async_events.models import JOB_EVENT_CLASSES, METRICS_EVENT_CLASSES


def test_every_event_type_has_a_sample(events: list[Event]) -> None:
    types = {event.type for event in events}
    metrics = set(METRICS_EVENT_CLASSES)
    assert metrics <= types
    assert set(JOB_KINDS) == {t.split(".")[2] for t in types - metrics}
    assert set(JOB_EVENT_CLASSES) == set(JOB_KINDS)


def test_every_event_round_trips(events: list[Event]) -> None:
    for event in events:
        text = encode_event(event)
        assert decode_event(text) == event
        assert decode_event(text.encode()) == event
        assert text.startswith(f'{{"type":"{event.type}",')
        assert ": " not in text
        assert ", " not in text
        assert "null" not in text.replace("[1,2.5,null,", "")


def test_job_event_wire_text_is_the_originals() -> None:
    started = JobStarted(domain="turkic", job_id="j1", user_id=42, queue="turkic")
    assert encode_event(started) == (
        '{"type":"turkic.job.started.v1","domain":"turkic","job_id":"j1","user_id":42,'
        '"queue":"turkic"}'
    )
    progress = JobProgress(domain="digits", job_id="j", user_id=1, progress=5)
    assert encode_event(progress) == (
        '{"type":"digits.job.progress.v1","domain":"digits","job_id":"j","user_id":1,"progress":5}'
    )
    full = JobProgress(
        domain="qr", job_id="j", user_id=1, progress=5, message="m", payload={"a": None}
    )
    assert encode_event(full).endswith('"progress":5,"message":"m","payload":{"a":null}}')
    completed = JobCompleted(domain="qr", job_id="j", user_id=1, result_id="f", result_bytes=9)
    assert encode_event(completed).endswith('"result_id":"f","result_bytes":9}')
    failed = JobFailed(domain="qr", job_id="j", user_id=1, error_kind="system", message="x")
    assert encode_event(failed).endswith('"error_kind":"system","message":"x"}')


def test_metrics_events_have_no_domain_key_and_travel_with_their_domain() -> None:
    epoch = DigitsMetricsEpoch(
        job_id="j",
        user_id=1,
        model_id="m",
        epoch=2,
        total_epochs=3,
        train_loss=1,
        val_acc=0.5,
        time_s=3,
    )
    assert epoch.domain == "digits"
    assert encode_event(epoch) == (
        '{"type":"digits.metrics.epoch.v1","job_id":"j","user_id":1,"model_id":"m","epoch":2,'
        '"total_epochs":3,"train_loss":1.0,"val_acc":0.5,"time_s":3.0}'
    )
    data: dict[str, object] = {
        "job_id": "r",
        "user_id": 1,
        "epoch": 1,
        "total_epochs": 1,
        "step": 1,
        "train_loss": 1,
        "train_ppl": 1,
        "grad_norm": 1,
        "samples_per_sec": 1,
    }
    step = TrainerMetricsProgress.model_validate(data)
    assert step.domain == "trainer"
    assert step.type == "trainer.metrics.progress.v1"


def test_every_domain_and_kind_decodes() -> None:
    for domain in DOMAINS:
        text = encode_event(JobStarted(domain=domain, job_id="j", user_id=1, queue=domain))
        assert decode_event(text).type == f"{domain}.job.started.v1"


def test_unknown_keys_are_ignored() -> None:
    text = '{"type":"qr.job.started.v1","domain":"qr","job_id":"j","user_id":1,"queue":"q","x":1}'
    assert decode_event(text) == JobStarted(domain="qr", job_id="j", user_id=1, queue="q")


def _started(**changes: object) -> str:
    fields: dict[str, object] = {
        "type": "qr.job.started.v1",
        "domain": "qr",
        "job_id": "j",
        "user_id": 1,
        "queue": "q",
    }
    fields.update(changes)
    return _json({k: v for k, v in fields.items() if v is not ...})


def _json(fields: dict[str, object]) -> str:
    return json.dumps(fields)


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("not json", InvalidEventError, "not a JSON object: Invalid JSON"),
        ("[1]", InvalidEventError, "not a JSON object: Input should be an object"),
        ("", InvalidEventError, "not a JSON object"),
        (_started(type=...), InvalidEventError, "type: missing or not a string"),
        (_started(type=7), InvalidEventError, "type: missing or not a string"),
        (_started(type="qr.job.started"), UnknownEventTypeError, "'qr.job.started'"),
        (_started(type="qr.job.started.v2"), UnknownEventTypeError, "'qr.job.started.v2'"),
        (_started(type="qr.job.paused.v1"), UnknownEventTypeError, "'qr.job.paused.v1'"),
        (_started(type="qr.jobs.started.v1"), UnknownEventTypeError, "'qr.jobs.started.v1'"),
        (_started(type="music_wrapped.job.started.v1"), UnknownEventTypeError, "music_wrapped"),
        (_started(type="digits.metrics.loss.v1"), UnknownEventTypeError, "digits.metrics.loss"),
        (_started(domain="turkic"), DomainMismatchError, "domain 'turkic' does not match"),
        (_started(domain=...), InvalidEventError, "qr.job.started.v1: domain: Field required"),
        (_started(job_id=...), InvalidEventError, "job_id: Field required"),
        (_started(job_id=""), InvalidEventError, "job_id: String should have at least 1"),
        (_started(job_id=5), InvalidEventError, "job_id: Input should be a valid string"),
        (_started(user_id=True), InvalidEventError, "user_id: expected an integer, got a boolean"),
        (_started(user_id="1"), InvalidEventError, "user_id: Input should be a valid integer"),
        (_started(user_id=1.5), InvalidEventError, "user_id: Input should be a valid integer"),
        (_started(queue=...), InvalidEventError, "queue: Field required"),
        (_started(queue=None), InvalidEventError, "queue: Input should be a valid string"),
    ],
)
def test_bad_input_is_a_precise_error(
    text: str, error: type[EventDecodeError], message: str
) -> None:
    with pytest.raises(error, match=message):
        decode_event(text)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type": "qr.job.progress.v1", "progress": 101}, "progress: Input should be less than"),
        ({"type": "qr.job.progress.v1", "progress": -1}, "progress: Input should be greater"),
        ({"type": "qr.job.progress.v1", "progress": False}, "progress: expected an integer"),
        ({"type": "qr.job.progress.v1", "progress": 1, "message": 3}, "message: Input should"),
        ({"type": "qr.job.completed.v1", "result_id": "f"}, "result_bytes: Field required"),
        (
            {"type": "qr.job.completed.v1", "result_id": "f", "result_bytes": -1},
            "result_bytes: Input should be greater than or equal to 0",
        ),
        (
            {"type": "qr.job.failed.v1", "error_kind": "oops", "message": "m"},
            "error_kind: Input should be 'user' or 'system'",
        ),
    ],
)
def test_bad_job_fields(fields: dict[str, object], message: str) -> None:
    text = _json({"domain": "qr", "job_id": "j", "user_id": 1, **fields})
    with pytest.raises(InvalidEventError, match=message):
        decode_event(text)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"val_acc": "0.9"}, "val_acc: Input should be a valid number"),
        ({"val_acc": True}, "val_acc: Input should be a valid number"),
        ({"val_acc": 1, "model_id": 3}, "model_id: Input should be a valid string"),
        ({}, "val_acc: Field required"),
    ],
)
def test_bad_metrics_fields(fields: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "type": "digits.metrics.completed.v1",
        "job_id": "j",
        "user_id": 1,
        "model_id": "m",
    }
    with pytest.raises(InvalidEventError, match=message):
        decode_event(_json({**base, **fields}))


def test_metrics_float_fields_accept_integers_and_reject_nan() -> None:
    text = (
        '{"type":"digits.metrics.completed.v1","job_id":"j","user_id":1,"model_id":"m","val_acc":1}'
    )
    assert encode_event(decode_event(text)).endswith('"val_acc":1.0}')
    with pytest.raises(InvalidEventError, match="val_acc: Input should be a finite number"):
        decode_event(text.replace(":1}", ":NaN}"))


def test_bool_is_not_an_optional_int() -> None:
    base: dict[str, object] = {
        "type": "trainer.metrics.config.v1",
        "job_id": "r",
        "user_id": 1,
        "model_family": "f",
        "model_size": "s",
        "total_epochs": 1,
        "queue": "trainer",
    }
    with pytest.raises(InvalidEventError, match="cpu_cores: expected an integer, got a boolean"):
        decode_event(_json({**base, "cpu_cores": True}))


def test_models_are_strict_and_frozen_when_built_in_code() -> None:
    bad_domain: dict[str, object] = {"domain": "nope", "job_id": "j", "user_id": 1, "queue": "q"}
    with pytest.raises(ValidationError, match="domain"):
        JobStarted.model_validate(bad_domain)
    text_id: dict[str, object] = {"domain": "qr", "job_id": "j", "user_id": "1", "queue": "q"}
    with pytest.raises(ValidationError, match="user_id"):
        JobStarted.model_validate(text_id)
    event = JobStarted(domain="qr", job_id="j", user_id=1, queue="q")
    field = "queue"
    with pytest.raises(ValidationError, match="frozen"):
        setattr(event, field, "other")
