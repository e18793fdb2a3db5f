"""The event types each domain defines besides job lifecycle events.

A domain not listed here publishes job lifecycle events only (transcript, qr, turkic,
databank today); trainer (Model-Trainer) and digits (handwriting-ai) add metrics.
Add a domain's `EventTypes` here when its service defines metrics events.
"""

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from handwriting_ai_events import DIGITS_EVENTS
from model_trainer_events import TRAINER_METRICS
from platform_core.async_events import NO_EVENT_TYPES, EventTypes

DOMAIN_EVENT_TYPES: Mapping[str, EventTypes] = MappingProxyType(
    {"trainer": TRAINER_METRICS, "digits": DIGITS_EVENTS}
)
"""Domain -> the metrics event types its service publishes on its stream."""


def event_types_for(domains: Iterable[str]) -> EventTypes:
    """Every event type a reader of `domains` must decode (job events are always known)."""
    types = NO_EVENT_TYPES
    for domain in domains:
        types = types | DOMAIN_EVENT_TYPES.get(domain, NO_EVENT_TYPES)
    return types
