"""The queue's Lua scripts: every state change of a job is one atomic script call.

Each script is a `.lua` file beside this module with one typed description here: its
KEYS and its ARGV (NamedTuples whose field names are the names the Lua reads, `KEY.job`,
`ARG.group`) and the parser of its named reply (`replies`). A script's keys all share the
queue's hash tag (one Redis Cluster slot) and it takes Redis's clock from `TIME`.

A job's stream entry is owned by the worker whose consumer holds it in the group's
pending entries list (PEL) with the delivery count it was given: `owned()` in
`prelude.lua` is the fence that every write by a worker passes first. Lifecycle events
arrive encoded (by `platform_core.async_events`) in ARGV and are appended to the domain's
capped events stream and PUBLISHed in the same call (`emit_event.lua`, with the route
`EventRoute.lua_arg` in `ARG.route`). docs/queue.md lists every call per job.
"""

from typing import NamedTuple

from platform_workers.async_queue.lua import LuaScript
from platform_workers.async_queue.replies import (
    Maintenance,
    Verdict,
    flag,
    flags,
    maintenance,
    number,
    verdicts,
    word,
)


class EnqueueKeys(NamedTuple):
    """ENQUEUE's KEYS."""

    job: str
    stream: str
    delayed: str


class EnqueueArgs(NamedTuple):
    """ENQUEUE's ARGV."""

    job_id: str
    task: str
    user_id: int
    payload: str
    ttl_ms: int
    delay_ms: int


ENQUEUE = LuaScript(
    "enqueue", EnqueueKeys, EnqueueKeys._fields, EnqueueArgs, EnqueueArgs._fields, flag("enqueued")
)
"""-> whether it was queued (False: a job with this id exists)."""


class StartKeys(NamedTuple):
    """START's KEYS (then one job hash per job)."""

    stream: str
    events: str
    dead: str


class StartArgs(NamedTuple):
    """START's ARGV: `jobs` is a JSON array of `StartJob`s."""

    route: str
    group: str
    consumer: str
    dead_cap: int
    limit: int
    jobs: str


START = LuaScript(
    "start",
    StartKeys,
    StartKeys._fields,
    StartArgs,
    StartArgs._fields,
    verdicts("verdicts"),
    each_key="jobs",
)
"""-> one `Verdict` per job: run | dead | cancel | skip | lost."""


class FinishKeys(NamedTuple):
    """FINISH's KEYS (then one job hash per job)."""

    stream: str
    events: str
    delayed: str


class FinishArgs(NamedTuple):
    """FINISH's ARGV: `jobs` is a JSON array of finished jobs (see finish.lua)."""

    route: str
    group: str
    consumer: str
    limit: int
    jobs: str


FINISH = LuaScript(
    "finish",
    FinishKeys,
    FinishKeys._fields,
    FinishArgs,
    FinishArgs._fields,
    flags,
    each_key="jobs",
)
"""-> per job, whether this call finished it."""


class ProgressKeys(NamedTuple):
    """PROGRESS's KEYS."""

    stream: str
    events: str
    job: str


class ProgressArgs(NamedTuple):
    """PROGRESS's ARGV (`message` '' clears the job's message)."""

    route: str
    group: str
    consumer: str
    entry: str
    deliveries: int
    progress: int
    message: str
    event: str


PROGRESS = LuaScript(
    "progress",
    ProgressKeys,
    ProgressKeys._fields,
    ProgressArgs,
    ProgressArgs._fields,
    flag("written"),
)
"""-> whether it was written (False: the lease was lost)."""


class RenewKeys(NamedTuple):
    """RENEW's KEYS (then one job hash per held job)."""

    stream: str
    workers: str
    record: str


class RenewArgs(NamedTuple):
    """RENEW's ARGV: `jobs` is a JSON array of {entry, deliveries}."""

    group: str
    consumer: str
    ttl_ms: int
    record: str
    limit: int
    jobs: str


RENEW = LuaScript(
    "renew",
    RenewKeys,
    RenewKeys._fields,
    RenewArgs,
    RenewArgs._fields,
    verdicts("renewed"),
    each_key="jobs",
)
"""-> one `Verdict` per held job: ok | cancel | lost."""


class MaintainKeys(NamedTuple):
    """MAINTAIN's KEYS."""

    stream: str
    delayed: str
    workers: str


class MaintainArgs(NamedTuple):
    """MAINTAIN's ARGV (`prune` '1' or '0')."""

    group: str
    consumer: str
    lease_ms: int
    free: int
    scan: int
    due_batch: int
    prune: str


MAINTAIN = LuaScript(
    "maintain", MaintainKeys, MaintainKeys._fields, MaintainArgs, MaintainArgs._fields, maintenance
)
"""-> the reclaimed entries, the due delayed job ids, the next due time, Redis's now."""


class PromoteKeys(NamedTuple):
    """PROMOTE's KEYS (then one job hash per job id)."""

    stream: str
    delayed: str


class PromoteArgs(NamedTuple):
    """PROMOTE's ARGV: `job_ids` is a JSON array."""

    job_ids: str


PROMOTE = LuaScript(
    "promote",
    PromoteKeys,
    PromoteKeys._fields,
    PromoteArgs,
    PromoteArgs._fields,
    number("moved"),
    each_key="jobs",
)
"""-> how many due jobs were moved to the stream."""


class CancelKeys(NamedTuple):
    """CANCEL's KEYS."""

    job: str
    stream: str
    delayed: str
    events: str


class CancelArgs(NamedTuple):
    """CANCEL's ARGV."""

    route: str
    group: str
    job_id: str
    reason: str
    message: str
    event: str
    control: str


CANCEL = LuaScript(
    "cancel", CancelKeys, CancelKeys._fields, CancelArgs, CancelArgs._fields, word("outcome")
)
"""-> missing | finished | cancelled | cancelling."""


class StreamKeys(NamedTuple):
    """The work stream alone."""

    stream: str


class GroupArgs(NamedTuple):
    """ENSURE_GROUP's ARGV (`start` '0': deliver what the stream already holds)."""

    group: str
    start: str


ENSURE_GROUP = LuaScript(
    "ensure_group", StreamKeys, StreamKeys._fields, GroupArgs, GroupArgs._fields, flag("created")
)
"""-> whether the group was created (False: it existed)."""


class DeregisterKeys(NamedTuple):
    """DEREGISTER's KEYS."""

    workers: str
    record: str
    stream: str


class DeregisterArgs(NamedTuple):
    """DEREGISTER's ARGV."""

    group: str
    consumer: str


DEREGISTER = LuaScript(
    "deregister",
    DeregisterKeys,
    DeregisterKeys._fields,
    DeregisterArgs,
    DeregisterArgs._fields,
    flag("left"),
)


class WorkersKeys(NamedTuple):
    """The worker registry alone."""

    workers: str


class NoArgs(NamedTuple):
    """No ARGV."""


LIVE_WORKERS = LuaScript(
    "live_workers", WorkersKeys, WorkersKeys._fields, NoArgs, NoArgs._fields, number("live")
)
"""-> how many workers have a heartbeat that has not expired."""

SCRIPTS: tuple[
    LuaScript[EnqueueKeys, EnqueueArgs, bool]
    | LuaScript[StartKeys, StartArgs, list[Verdict]]
    | LuaScript[FinishKeys, FinishArgs, list[bool]]
    | LuaScript[ProgressKeys, ProgressArgs, bool]
    | LuaScript[RenewKeys, RenewArgs, list[Verdict]]
    | LuaScript[MaintainKeys, MaintainArgs, Maintenance]
    | LuaScript[PromoteKeys, PromoteArgs, int]
    | LuaScript[CancelKeys, CancelArgs, str]
    | LuaScript[StreamKeys, GroupArgs, bool]
    | LuaScript[DeregisterKeys, DeregisterArgs, bool]
    | LuaScript[WorkersKeys, NoArgs, int],
    ...,
] = (
    ENQUEUE,
    START,
    FINISH,
    PROGRESS,
    RENEW,
    MAINTAIN,
    PROMOTE,
    CANCEL,
    ENSURE_GROUP,
    DEREGISTER,
    LIVE_WORKERS,
)
"""Every script (the tests check each file against its description)."""
