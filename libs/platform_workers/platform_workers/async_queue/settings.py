"""`WorkerSettings`: the one description of how a worker runs (its queue and its tuning).

    settings = WorkerSettings(queue="orders", concurrency=4)
    await run_worker(redis_url, settings, [RESIZE.handler(resize)])

Every limit is checked once, here, when the settings are made (`ValueError` naming the
field); `dataclasses.replace` makes a changed copy and checks it again.
"""

from dataclasses import dataclass

from platform_core.async_events import DEFAULT_STREAM_MAXLEN, Domain, check_domain


def _at_least(name: str, value: float, low: float) -> None:
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerSettings:
    """How a worker of queue `queue` runs. Times in ms unless named `_s`.

    - `concurrency`: jobs running at once in this process.
    - `lease_ms`: a job whose worker has not renewed its lease for this long is
      reclaimed by another worker; renewed every `lease_ms / 3`. Also the registry
      heartbeat's time to live.
    - `max_deliveries`: a job delivered more often than this without finishing (its
      workers died) goes to the dead-letter stream, `failed`.
    - `block_ms`: longest wait in one XREADGROUP (below `socket_timeout_s`).
    - `poll_ms`: how often lapsed leases are reclaimed and due delayed jobs promoted.
    - `grace_period_s`: how long a stopping worker lets running handlers finish.
    - `cancel_wait_s`: how long it then waits for cancelled handlers to unwind.
    - `dead_maxlen`: the dead-letter stream's cap (approximate).
    - `reclaim_scan`: pending entries looked at per reclaim; `delayed_batch`: due
      delayed jobs promoted per call; `prune_every`: maintenance rounds between two
      prunes of dead registry members and idle consumers.
    - `control_poll_s`: longest wait for a cancellation message (below the socket timeout).
    - `events_maxlen`, `events_approximate`: the cap of the domain's events stream.
    - `socket_timeout_s`: the Redis client's socket timeout (`run_worker` opens it).
    """

    queue: Domain
    concurrency: int = 10
    lease_ms: int = 30_000
    max_deliveries: int = 3
    block_ms: int = 1_000
    poll_ms: int = 500
    grace_period_s: float = 30.0
    cancel_wait_s: float = 5.0
    dead_maxlen: int = 10_000
    reclaim_scan: int = 100
    delayed_batch: int = 100
    prune_every: int = 20
    control_poll_s: float = 1.0
    events_maxlen: int = DEFAULT_STREAM_MAXLEN
    events_approximate: bool = False
    socket_timeout_s: float = 5.0

    def __post_init__(self) -> None:
        check_domain(self.queue)
        _at_least("lease_ms", self.lease_ms, 30)
        for name, value in (
            ("concurrency", self.concurrency),
            ("max_deliveries", self.max_deliveries),
            ("block_ms", self.block_ms),
            ("poll_ms", self.poll_ms),
            ("dead_maxlen", self.dead_maxlen),
            ("reclaim_scan", self.reclaim_scan),
            ("delayed_batch", self.delayed_batch),
            ("prune_every", self.prune_every),
            ("events_maxlen", self.events_maxlen),
        ):
            _at_least(name, value, 1)
        _at_least("grace_period_s", self.grace_period_s, 0)
        _at_least("cancel_wait_s", self.cancel_wait_s, 0)
        if self.socket_timeout_s <= 0 or self.control_poll_s <= 0:
            raise ValueError("socket_timeout_s and control_poll_s must be positive")
        self.check_timeout(self.socket_timeout_s)

    def check_timeout(self, socket_timeout_s: float) -> None:
        """Raise `ValueError` unless every blocking wait ends before a client's socket
        timeout of `socket_timeout_s` (else a quiet queue would read as a dead Redis)."""
        if self.block_ms >= socket_timeout_s * 1000 or self.control_poll_s >= socket_timeout_s:
            raise ValueError(
                f"block_ms and control_poll_s must be below the client's socket timeout "
                f"({socket_timeout_s} s)"
            )

    @property
    def renew_s(self) -> float:
        """Seconds between lease renewals (and registry heartbeats)."""
        return self.lease_ms / 3000
