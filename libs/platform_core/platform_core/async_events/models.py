"""The typed events: job lifecycle events for any domain, and the base of a service's own.

Every event has a `type` (the wire discriminator) and a `domain` (which stream and
channel it travels on). Job lifecycle events (`{domain}.job.{kind}.v1`) are defined here,
for every domain. A service defines its other events (metrics, say) as `DomainEvent`
subclasses in its own package and hands them to the decoders as `EventTypes`
(`platform_core.async_events.types`): the lib names no service.

Fields are declared in wire order; optional fields are `None` when absent and omitted
on the wire. Models are strict: an int field rejects a bool, a str field rejects a
number, a float field accepts an int (as the original did), NaN and infinity are
rejected.
"""

import re
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue

_DOMAIN = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def check_domain(name: str) -> str:
    """`name` if it is a domain identifier: 1-32 of `[a-z0-9_-]`, starting with a letter.

    A domain names a stream (`{<domain>}:events:stream`, its Redis Cluster hash tag),
    a channel (`<domain>:events`) and the first part of its event types, so it holds
    none of `{}:.` nor spaces. Raises `ValueError` otherwise.
    """
    if _DOMAIN.fullmatch(name) is None:
        raise ValueError(f"invalid domain {name!r}: use 1-32 of [a-z0-9_-], starting with a letter")
    return name


Domain = Annotated[str, AfterValidator(check_domain)]
"""A domain identifier (`check_domain`): the events (and queue) of one service's concern.

Validated wherever it enters: in event models, `event_route`, `QueueKeys`. Any service
may name its own; the lib keeps no list of them.
"""

JobKind = Literal["started", "progress", "completed", "failed"]
"""The four job lifecycle steps: `{domain}.job.{kind}.v1`."""

JOB_KINDS: tuple[JobKind, ...] = ("started", "progress", "completed", "failed")

JobId = Annotated[str, Field(min_length=1)]
NonNegative = Annotated[int, Field(ge=0)]
Percent = Annotated[int, Field(ge=0, le=100)]

STRICT = ConfigDict(strict=True, frozen=True, extra="ignore", allow_inf_nan=False)


# --- job lifecycle events ----------------------------------------------------------


class _JobEvent(BaseModel):
    model_config = STRICT

    kind: ClassVar[JobKind]

    domain: Domain
    job_id: JobId
    user_id: int

    @property
    def type(self) -> str:
        """`{domain}.job.{kind}.v1`."""
        return f"{self.domain}.job.{self.kind}.v1"


class JobStarted(_JobEvent):
    """`{domain}.job.started.v1`: a worker took the job from `queue`."""

    kind: ClassVar[JobKind] = "started"

    queue: str


class JobProgress(_JobEvent):
    """`{domain}.job.progress.v1`: `progress` percent (0-100), an optional message and payload."""

    kind: ClassVar[JobKind] = "progress"

    progress: Percent
    message: str | None = None
    payload: JsonValue = None


class JobCompleted(_JobEvent):
    """`{domain}.job.completed.v1`: the result's id (e.g. a data-bank file id) and size."""

    kind: ClassVar[JobKind] = "completed"

    result_id: str
    result_bytes: NonNegative


class JobFailed(_JobEvent):
    """`{domain}.job.failed.v1`: `error_kind` says whose fault it was."""

    kind: ClassVar[JobKind] = "failed"

    error_kind: Literal["user", "system"]
    message: str


JobEvent = JobStarted | JobProgress | JobCompleted | JobFailed
"""Any job lifecycle event."""

JOB_EVENT_CLASSES: dict[str, type[JobEvent]] = {
    "started": JobStarted,
    "progress": JobProgress,
    "completed": JobCompleted,
    "failed": JobFailed,
}


# --- events a service defines ----------------------------------------------------------


class DomainEvent(BaseModel):
    """The base of an event type a service defines (metrics, say): a top-level event.

    A subclass sets `TYPE` (its wire type, `<domain>.<name>.v<n>`, never a `.job.` type)
    and `domain` (the stream and channel it travels on) as class variables, and declares
    its fields in wire order. No `domain` key goes on the wire. Decoders accept it once
    it is in the `EventTypes` they are given.

        class EpochDone(DomainEvent):
            TYPE: ClassVar[str] = "dice.metrics.epoch.v1"
            domain: ClassVar[str] = "dice"

            job_id: str
            epoch: int
    """

    model_config = STRICT

    TYPE: ClassVar[str]
    domain: ClassVar[str]

    @property
    def type(self) -> str:
        """The event's type string (`TYPE`)."""
        return self.TYPE


Event = JobEvent | DomainEvent
"""Any event this package publishes and decodes."""
