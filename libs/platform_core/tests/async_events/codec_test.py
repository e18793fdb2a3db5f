"""The wire format of every event type, and a precise error for every kind of bad input."""

import json
from typing import ClassVar

import pytest
from pydantic import ValidationError

from platform_core.async_events import (
    JOB_KINDS,
    NO_EVENT_TYPES,
    DomainEvent,
    DomainMismatchError,
    Event,
    EventDecodeError,
    EventTypes,
    InvalidEventError,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobStarted,
    UnknownEventTypeError,
    check_domain,
    decode_event,
    encode_event,
)


class Epoch(DomainEvent):
    """A service's event: `lab.metrics.epoch.v1`."""

    TYPE: ClassVar[str] = "lab.metrics.epoch.v1"
    domain: ClassVar[str] = "lab"

    job_id: str
    user_id: int
    model_id: str
    epoch: int
    train_loss: float
    val_acc: float
    cpu_cores: int | None = None


EPOCH = EventTypes(Epoch)


def test_every_event_type_has_a_sample(events: list[Event], event_types: EventTypes) -> None:
    types = {event.type for event in events}
    defined = {event_class.TYPE for event_class in event_types}
    assert defined <= types
    assert set(JOB_KINDS) == {t.split(".")[2] for t in types - defined}


def test_every_event_round_trips(events: list[Event], event_types: EventTypes) -> None:
    for event in events:
        text = encode_event(event)
        assert decode_event(text, event_types) == event
        assert decode_event(text.encode(), event_types) == event
        assert text.startswith(f'{{"type":"{event.type}",')
        assert ": " not in text
        assert ", " not in text
        assert "null" not in text.replace("[1,2.5,null,", "")


def test_job_event_wire_text_is_the_originals() -> None:
    started = JobStarted(domain="tutors", job_id="j1", user_id=42, queue="tutors")
    assert encode_event(started) == (
        '{"type":"tutors.job.started.v1","domain":"tutors","job_id":"j1","user_id":42,'
        '"queue":"tutors"}'
    )
    progress = JobProgress(domain="dice", job_id="j", user_id=1, progress=5)
    assert encode_event(progress) == (
        '{"type":"dice.job.progress.v1","domain":"dice","job_id":"j","user_id":1,"progress":5}'
    )
    full = JobProgress(
        domain="orders", job_id="j", user_id=1, progress=5, message="m", payload={"a": None}
    )
    assert encode_event(full).endswith('"progress":5,"message":"m","payload":{"a":null}}')
    completed = JobCompleted(domain="orders", job_id="j", user_id=1, result_id="f", result_bytes=9)
    assert encode_event(completed).endswith('"result_id":"f","result_bytes":9}')
    failed = JobFailed(domain="orders", job_id="j", user_id=1, error_kind="system", message="x")
    assert encode_event(failed).endswith('"error_kind":"system","message":"x"}')


def test_a_service_event_has_no_domain_key_and_travels_with_its_domain() -> None:
    epoch = Epoch(job_id="j", user_id=1, model_id="m", epoch=2, train_loss=1, val_acc=0.5)
    assert epoch.domain == "lab"
    assert epoch.type == "lab.metrics.epoch.v1"
    assert encode_event(epoch) == (
        '{"type":"lab.metrics.epoch.v1","job_id":"j","user_id":1,"model_id":"m","epoch":2,'
        '"train_loss":1.0,"val_acc":0.5}'
    )


def test_a_decoder_knows_only_the_types_it_is_given() -> None:
    epoch = Epoch(job_id="j", user_id=1, model_id="m", epoch=2, train_loss=1, val_acc=0.5)
    text = encode_event(epoch)
    assert decode_event(text, EPOCH) == epoch
    with pytest.raises(UnknownEventTypeError, match=r"lab\.metrics\.epoch\.v1"):
        decode_event(text)
    with pytest.raises(UnknownEventTypeError, match=r"lab\.metrics\.epoch\.v1"):
        decode_event(text, NO_EVENT_TYPES)


def test_every_domain_identifier_has_job_events() -> None:
    for domain in ("orders", "dice", "a", "music_wrapped", "x-2", "z" * 32):
        text = encode_event(JobStarted(domain=domain, job_id="j", user_id=1, queue=domain))
        assert decode_event(text).type == f"{domain}.job.started.v1"


@pytest.mark.parametrize("name", ["", "ORDERS", "2fa", "a.b", "a:b", "{a}", "a b", "z" * 33, "_a"])
def test_a_domain_is_a_checked_identifier(name: str) -> None:
    with pytest.raises(ValueError, match="invalid domain"):
        check_domain(name)
    fields: dict[str, object] = {"domain": name, "job_id": "j", "user_id": 1, "queue": "q"}
    with pytest.raises(ValidationError, match="invalid domain"):
        JobStarted.model_validate(fields)


class _Untyped(DomainEvent):
    job_id: str


class _OtherEpoch(DomainEvent):
    TYPE: ClassVar[str] = "lab.metrics.epoch.v1"
    domain: ClassVar[str] = "lab"


def _event_class(event_type: str, domain: str) -> type[DomainEvent]:
    class Custom(DomainEvent):
        TYPE: ClassVar[str] = event_type

    Custom.domain = domain
    return Custom


@pytest.mark.parametrize(
    ("event_type", "domain", "message"),
    [
        ("lab.metrics", "lab", "is not 'lab.<name>.v<n>'"),
        ("lab.metrics.v", "lab", "is not 'lab.<name>.v<n>'"),
        ("lab.Metrics.v1", "lab", "is not 'lab.<name>.v<n>'"),
        ("orders.metrics.v1", "lab", "is not 'lab.<name>.v<n>'"),
        ("lab.job.v1", "lab", "is a job lifecycle type"),
        ("Lab.metrics.v1", "Lab", "invalid domain"),
    ],
)
def test_event_types_check_each_class(event_type: str, domain: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EventTypes(_event_class(event_type, domain))


def test_event_types_refuse_a_class_without_a_type_and_a_shared_type() -> None:
    with pytest.raises(ValueError, match="_Untyped must set TYPE and domain"):
        EventTypes(_Untyped)
    with pytest.raises(ValueError, match="Epoch and _OtherEpoch both have TYPE"):
        EventTypes(Epoch, _OtherEpoch)


def test_event_types_combine(event_types: EventTypes) -> None:
    both = event_types | EPOCH | EPOCH
    assert len(both) == len(event_types) + 1
    assert both.get("lab.metrics.epoch.v1") is Epoch
    assert both.get("lab.metrics.other.v1") is None
    assert repr(EPOCH) == "EventTypes(lab.metrics.epoch.v1)"
    assert list(EventTypes(Epoch, Epoch)) == [Epoch]


def test_unknown_keys_are_ignored() -> None:
    text = (
        '{"type":"orders.job.started.v1","domain":"orders",'
        '"job_id":"j","user_id":1,"queue":"q","x":1}'
    )
    assert decode_event(text) == JobStarted(domain="orders", job_id="j", user_id=1, queue="q")


def _started(**changes: object) -> str:
    fields: dict[str, object] = {
        "type": "orders.job.started.v1",
        "domain": "orders",
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
        (_started(type="orders.job.started"), UnknownEventTypeError, "'orders.job.started'"),
        (_started(type="orders.job.started.v2"), UnknownEventTypeError, "'orders.job.started.v2'"),
        (_started(type="orders.job.paused.v1"), UnknownEventTypeError, "'orders.job.paused.v1'"),
        (
            _started(type="orders.jobs.started.v1"),
            UnknownEventTypeError,
            "'orders.jobs.started.v1'",
        ),
        (_started(type="Music.job.started.v1"), UnknownEventTypeError, "'Music.job.started.v1'"),
        (_started(type="lab.metrics.loss.v1"), UnknownEventTypeError, "lab.metrics.loss"),
        (_started(domain="tutors"), DomainMismatchError, "domain 'tutors' does not match"),
        (_started(domain=...), InvalidEventError, "orders.job.started.v1: domain: Field required"),
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
        (
            {"type": "orders.job.progress.v1", "progress": 101},
            "progress: Input should be less than",
        ),
        ({"type": "orders.job.progress.v1", "progress": -1}, "progress: Input should be greater"),
        ({"type": "orders.job.progress.v1", "progress": False}, "progress: expected an integer"),
        ({"type": "orders.job.progress.v1", "progress": 1, "message": 3}, "message: Input should"),
        ({"type": "orders.job.completed.v1", "result_id": "f"}, "result_bytes: Field required"),
        (
            {"type": "orders.job.completed.v1", "result_id": "f", "result_bytes": -1},
            "result_bytes: Input should be greater than or equal to 0",
        ),
        (
            {"type": "orders.job.failed.v1", "error_kind": "oops", "message": "m"},
            "error_kind: Input should be 'user' or 'system'",
        ),
    ],
)
def test_bad_job_fields(fields: dict[str, object], message: str) -> None:
    text = _json({"domain": "orders", "job_id": "j", "user_id": 1, **fields})
    with pytest.raises(InvalidEventError, match=message):
        decode_event(text)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"val_acc": "0.9"}, "val_acc: Input should be a valid number"),
        ({"val_acc": True}, "val_acc: Input should be a valid number"),
        ({"val_acc": 1, "model_id": 3}, "model_id: Input should be a valid string"),
        ({}, "val_acc: Field required"),
        ({"val_acc": 1, "cpu_cores": True}, "cpu_cores: expected an integer, got a boolean"),
    ],
)
def test_bad_service_event_fields(fields: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "type": "lab.metrics.epoch.v1",
        "job_id": "j",
        "user_id": 1,
        "model_id": "m",
        "epoch": 1,
        "train_loss": 1.5,
    }
    with pytest.raises(InvalidEventError, match=message):
        decode_event(_json({**base, **fields}), EPOCH)


def test_float_fields_accept_integers_and_reject_nan() -> None:
    text = (
        '{"type":"lab.metrics.epoch.v1","job_id":"j","user_id":1,"model_id":"m","epoch":1,'
        '"train_loss":2,"val_acc":1}'
    )
    assert encode_event(decode_event(text, EPOCH)).endswith('"train_loss":2.0,"val_acc":1.0}')
    with pytest.raises(InvalidEventError, match="val_acc: Input should be a finite number"):
        decode_event(text.replace(":1}", ":NaN}"), EPOCH)


def test_models_are_strict_and_frozen_when_built_in_code() -> None:
    bad_domain: dict[str, object] = {"domain": "No pe", "job_id": "j", "user_id": 1, "queue": "q"}
    with pytest.raises(ValidationError, match="domain"):
        JobStarted.model_validate(bad_domain)
    text_id: dict[str, object] = {"domain": "orders", "job_id": "j", "user_id": "1", "queue": "q"}
    with pytest.raises(ValidationError, match="user_id"):
        JobStarted.model_validate(text_id)
    event = JobStarted(domain="orders", job_id="j", user_id=1, queue="q")
    field = "queue"
    with pytest.raises(ValidationError, match="frozen"):
        setattr(event, field, "other")
