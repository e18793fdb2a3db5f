"""The Redis key schema of one queue: every key shares the queue's hash tag.

A queue is named after its events domain (`tours`, `ledger`, ...), and
every key it touches, the domain's events stream included, is `{<domain>}:...`,
so each Lua script works on one Redis Cluster slot. See docs/queue.md.
"""

import re
from dataclasses import dataclass

from platform_core.async_events import Domain, check_domain

GROUP = "workers"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")


# user ids (0 for system jobs) are signed 64-bit integers, as the events carry them
USER_ID_MIN, USER_ID_MAX = -(2**63), 2**63 - 1


def check_job_id(job_id: str) -> str:
    """A job id: 1-128 characters of letters, digits and `_.:-`, not starting with punctuation."""
    if not _ID.match(job_id):
        raise ValueError(f"invalid job id {job_id!r}: use 1-128 of [A-Za-z0-9_.:-]")
    return job_id


@dataclass(frozen=True, slots=True)
class QueueKeys:
    """Every key and channel of the queue named `name`."""

    name: Domain

    def __post_init__(self) -> None:
        check_domain(self.name)

    @property
    def tag(self) -> str:
        """The hash tag, `{name}`."""
        return "{" + self.name + "}"

    @property
    def stream(self) -> str:
        """The work stream (one entry per runnable job; consumer group `workers`)."""
        return f"{self.tag}:jobs"

    @property
    def delayed(self) -> str:
        """Sorted set of delayed job ids, scored by due time (ms)."""
        return f"{self.tag}:delayed"

    @property
    def dead(self) -> str:
        """The dead-letter stream."""
        return f"{self.tag}:dead"

    @property
    def workers(self) -> str:
        """The worker registry: sorted set of worker ids, scored by heartbeat expiry (ms)."""
        return f"{self.tag}:workers"

    @property
    def control(self) -> str:
        """Pub/sub channel that tells workers to cancel a running job."""
        return f"{self.tag}:control"

    def job(self, job_id: str) -> str:
        """The status hash of one job."""
        return f"{self.tag}:job:{job_id}"

    def worker(self, worker_id: str) -> str:
        """A worker's registry record (JSON string with a TTL)."""
        return f"{self.tag}:worker:{worker_id}"
