"""`EventTypes`: the service-defined event types a decoder accepts, besides job events.

A service (or a per-domain events package it owns) defines its events as `DomainEvent`
subclasses and groups them once:

    DIGITS_EVENTS = EventTypes(DigitsMetricsConfig, DigitsMetricsEpoch)
    decode_event(text, DIGITS_EVENTS)                 # also read_events/live_events(types=)
    EVERYTHING = DIGITS_EVENTS | TRAINER_EVENTS       # a consumer of two services' events

Each class is checked when the set is made: its `domain` is a valid domain, its `TYPE`
is `<domain>.<name>[.<name>...].v<n>` and not a job lifecycle type, and no two classes
share a `TYPE`.
"""

import re
from collections.abc import Iterator

from platform_core.async_events.models import DomainEvent, check_domain

_NAME = r"[a-z][a-z0-9_]*"
_VERSION = re.compile(r"v[0-9]+")


def _checked(event_class: type[DomainEvent]) -> str:
    """The class's `TYPE`, once it is a well-formed type of its domain (else ValueError)."""
    name = event_class.__name__
    try:
        event_type, domain = event_class.TYPE, event_class.domain
    except AttributeError as exc:
        raise ValueError(f"{name} must set TYPE and domain as class variables") from exc
    check_domain(domain)
    parts = event_type.split(".")
    if (
        len(parts) < 3
        or parts[0] != domain
        or _VERSION.fullmatch(parts[-1]) is None
        or not all(re.fullmatch(_NAME, part) for part in parts[1:-1])
    ):
        raise ValueError(f"{name}: TYPE {event_type!r} is not '{domain}.<name>.v<n>'")
    if parts[1] == "job":
        raise ValueError(f"{name}: TYPE {event_type!r} is a job lifecycle type")
    return event_type


class EventTypes:
    """An immutable set of `DomainEvent` classes, looked up by their wire `type`."""

    def __init__(self, *classes: type[DomainEvent]) -> None:
        by_type: dict[str, type[DomainEvent]] = {}
        for event_class in classes:
            event_type = _checked(event_class)
            known = by_type.get(event_type)
            if known is not None and known is not event_class:
                raise ValueError(
                    f"{known.__name__} and {event_class.__name__} both have TYPE {event_type!r}"
                )
            by_type[event_type] = event_class
        self._by_type = by_type

    def get(self, event_type: str) -> type[DomainEvent] | None:
        """The class whose `TYPE` is `event_type`, or None."""
        return self._by_type.get(event_type)

    def __or__(self, other: "EventTypes") -> "EventTypes":
        return EventTypes(*self, *other)

    def __iter__(self) -> Iterator[type[DomainEvent]]:
        return iter(self._by_type.values())

    def __len__(self) -> int:
        return len(self._by_type)

    def __repr__(self) -> str:
        return f"EventTypes({', '.join(sorted(self._by_type))})"


NO_EVENT_TYPES = EventTypes()
"""Job lifecycle events only (the decoders' default)."""
