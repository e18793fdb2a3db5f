"""Publishing this service's metrics events through the platform's event publisher.

Thin glue until the platform's events lib takes service-owned event schemas: each
`trainer.metrics.*.v1` event is re-read as the lib's model of the same type (the wire
shape is identical) and published on the `trainer` stream and channel.
"""

from model_trainer_events import (
    TrainerMetricsConfig,
    TrainerMetricsEvent,
    TrainerMetricsProgress,
)
from platform_core import async_events
from platform_core.async_events import EventPublisher


def as_platform_event(event: TrainerMetricsEvent) -> async_events.TrainerMetricsEvent:
    """The platform lib's model of `event` (same type string, same fields)."""
    text = event.model_dump_json(exclude_none=True)
    if isinstance(event, TrainerMetricsConfig):
        return async_events.TrainerMetricsConfig.model_validate_json(text)
    if isinstance(event, TrainerMetricsProgress):
        return async_events.TrainerMetricsProgress.model_validate_json(text)
    return async_events.TrainerMetricsCompleted.model_validate_json(text)


class MetricsPublisher:
    """Publishes `trainer.metrics.*.v1` events."""

    def __init__(self, publisher: EventPublisher) -> None:
        self._publisher = publisher

    async def publish(self, event: TrainerMetricsEvent) -> str:
        """Append `event` to the `trainer` stream and PUBLISH it; its stream entry id."""
        return await self._publisher.publish(as_platform_event(event))
