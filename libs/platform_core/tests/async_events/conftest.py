"""A real private Redis for these tests, a client on it, and one sample of every event.

The `lab` domain's events stand for the event types a service defines for itself.
"""

from collections.abc import AsyncIterator
from typing import ClassVar

import pytest

from platform_core.async_events import (
    DomainEvent,
    Event,
    EventTypes,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobStarted,
)
from platform_workers.async_redis import RedisClient, open_redis
from platform_workers.testing.pytest_plugin import redis_server, redis_url

__all__ = [
    "event_types",
    "events",
    "redis",
    "redis_server",
    "redis_url",
]


class LabConfig(DomainEvent):
    """`lab.metrics.config.v1`: a run's settings (optional fields of every kind)."""

    TYPE: ClassVar[str] = "lab.metrics.config.v1"
    domain: ClassVar[str] = "lab"

    job_id: str
    user_id: int
    total_epochs: int
    cpu_cores: int | None = None
    device: str | None = None
    learning_rate: float | None = None
    augment: bool | None = None


class LabStep(DomainEvent):
    """`lab.metrics.step.v1`: one training step."""

    TYPE: ClassVar[str] = "lab.metrics.step.v1"
    domain: ClassVar[str] = "lab"

    job_id: str
    user_id: int
    epoch: int
    train_loss: float
    val_loss: float | None = None


class LabDone(DomainEvent):
    """`lab.metrics.completed.v1`: the run's accuracy."""

    TYPE: ClassVar[str] = "lab.metrics.completed.v1"
    domain: ClassVar[str] = "lab"

    job_id: str
    user_id: int
    val_acc: float


LAB_EVENTS = EventTypes(LabConfig, LabStep, LabDone)


@pytest.fixture()
async def redis(redis_url: str) -> AsyncIterator[RedisClient]:
    """A client on the emptied test server."""
    async with open_redis(redis_url, socket_timeout_s=2.0) as client:
        yield client


@pytest.fixture()
def event_types() -> EventTypes:
    """The `lab` domain's event types (what a service hands the decoders)."""
    return LAB_EVENTS


@pytest.fixture()
def events() -> list[Event]:
    """One event of every type (optional fields both set and left out)."""
    return [
        JobStarted(domain="tutors", job_id="j1", user_id=42, queue="tutors"),
        JobProgress(domain="tours", job_id="j1", user_id=0, progress=10),
        JobProgress(
            domain="orders",
            job_id="j1",
            user_id=1,
            progress=100,
            message="done",
            payload={"nested": [1, 2.5, None, True, "x"]},
        ),
        JobCompleted(domain="ledger", job_id="j1", user_id=2, result_id="f", result_bytes=0),
        JobFailed(domain="tiles", job_id="r", user_id=3, error_kind="user", message="bad"),
        LabConfig(job_id="j", user_id=1, total_epochs=15),
        LabConfig(
            job_id="j",
            user_id=1,
            total_epochs=15,
            cpu_cores=4,
            device="cpu",
            learning_rate=0.001,
            augment=False,
        ),
        LabStep(job_id="j", user_id=1, epoch=1, train_loss=2.5),
        LabStep(job_id="j", user_id=1, epoch=1, train_loss=2.5, val_loss=2.6),
        LabDone(job_id="j", user_id=1, val_acc=0.99),
    ]
