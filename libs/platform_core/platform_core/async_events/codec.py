"""Events to and from their wire text: compact JSON, `type` first, optional keys omitted.

`decode_event` is strict and precise: it raises `UnknownEventTypeError` for a type it does
not know (it knows the job lifecycle types of every valid domain and the `EventTypes` it
is given), `DomainMismatchError` when a job event's `domain` is not the one in its type,
and `InvalidEventError` for text that is not a JSON object or a field that is missing or
of the wrong type (a bool where an int belongs included). Keys the type does not define
are ignored, as the original decoder did.
"""

import json

from pydantic import BaseModel, JsonValue, TypeAdapter, ValidationError

from platform_core.async_events.event_types import NO_EVENT_TYPES, EventTypes
from platform_core.async_events.models import JOB_EVENT_CLASSES, Event, check_domain

_OBJECT = TypeAdapter(dict[str, JsonValue])


class _Problem(BaseModel):
    loc: tuple[str | int, ...]
    msg: str
    type: str


_PROBLEMS = TypeAdapter(list[_Problem])


def _problems(error: ValidationError) -> list[_Problem]:
    return _PROBLEMS.validate_json(
        error.json(include_url=False, include_context=False, include_input=False)
    )


class EventDecodeError(ValueError):
    """The text is not a valid event. Base of the decoding errors."""


class InvalidEventError(EventDecodeError):
    """Not a JSON object, or a field is missing or has the wrong type or value."""


class UnknownEventTypeError(EventDecodeError):
    """The `type` names no event this package knows."""


class DomainMismatchError(EventDecodeError):
    """A job event's `domain` field differs from the domain in its `type`."""


def encode_event(event: Event) -> str:
    """The event's wire text: compact JSON, `type` first, then the fields in order."""
    body = event.model_dump_json(exclude_none=True)
    return f'{{"type":{json.dumps(event.type)},{body[1:]}'


def _is_domain(name: str) -> bool:
    try:
        check_domain(name)
    except ValueError:
        return False
    return True


def _event_class(event_type: str, fields: dict[str, JsonValue], types: EventTypes) -> type[Event]:
    defined = types.get(event_type)
    if defined is not None:
        return defined
    parts = event_type.split(".")
    job_class = JOB_EVENT_CLASSES.get(parts[2]) if len(parts) == 4 else None
    if job_class is None or parts[1] != "job" or parts[3] != "v1" or not _is_domain(parts[0]):
        raise UnknownEventTypeError(f"unknown event type {event_type!r}")
    domain = fields.get("domain", parts[0])
    if domain != parts[0]:
        raise DomainMismatchError(f"{event_type}: domain {domain!r} does not match the type")
    return job_class


def _describe(error: ValidationError, fields: dict[str, JsonValue]) -> str:
    problems: list[str] = []
    for problem in _problems(error):
        where = ".".join(str(part) for part in problem.loc)
        message = problem.msg
        if isinstance(fields.get(where), bool) and problem.type == "int_type":
            message = "expected an integer, got a boolean"
        problems.append(f"{where}: {message}")
    return "; ".join(problems)


def decode_event(text: str | bytes, types: EventTypes = NO_EVENT_TYPES) -> Event:
    """The event in `text`: a job lifecycle event, or one of `types`.

    Raises an `EventDecodeError` subclass saying what is wrong.
    """
    try:
        fields = _OBJECT.validate_json(text)
    except ValidationError as exc:
        raise InvalidEventError(f"not a JSON object: {_problems(exc)[0].msg}") from exc
    event_type = fields.get("type")
    if not isinstance(event_type, str):
        raise InvalidEventError("type: missing or not a string")
    event_class = _event_class(event_type, fields, types)
    try:
        return event_class.model_validate(fields)
    except ValidationError as exc:
        raise InvalidEventError(f"{event_type}: {_describe(exc, fields)}") from exc
