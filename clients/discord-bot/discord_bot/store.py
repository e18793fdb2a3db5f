"""The notifier's durable state in Redis: stream positions, each job's message, the outbox.

Keys (one hash tag, so one MULTI may touch them all on a Redis Cluster):

- `{discord-bot}:positions` hash: domain -> id of the last stream entry handled.
- `{discord-bot}:job:<domain>:<job_id>` hash, expiring `JOB_TTL_MS` after its last change:
  `view` (the job's view after the events up to the stored position, JSON), and once
  delivered `channel`, `message` (the DM it is shown in) and `delivered` (its text).
- `{discord-bot}:outbox` hash: job key -> user id, for each job whose latest view is not
  delivered yet (what a restart delivers first).

The view is written only together with the positions (`flush`), so a stored view always
matches the stored positions; delivery writes only the message fields.
"""

import asyncio
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from job_views import JobView
from platform_workers.async_redis import RedisClient, commands

__all__ = ["JOB_TTL_MS", "JobState", "NotifierStore", "job_key"]

_TAG = "{discord-bot}"
POSITIONS = f"{_TAG}:positions"
OUTBOX = f"{_TAG}:outbox"
JOB_TTL_MS = 7 * 24 * 3600 * 1000


def job_key(domain: str, job_id: str) -> str:
    """`<domain>:<job_id>`: how the notifier names a job."""
    return f"{domain}:{job_id}"


def _job(key: str) -> str:
    return f"{_TAG}:job:{key}"


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid")

    view: JobView


class JobState(BaseModel):
    """One job as the notifier keeps it: what to show, where it is shown, what was shown."""

    model_config = ConfigDict(extra="forbid")

    view: JobView
    channel_id: str | None = None
    message_id: str | None = None
    delivered: str | None = None


class NotifierStore:
    """Reads and writes of the notifier's keys; writes are serialized (last write wins)."""

    def __init__(self, redis: RedisClient) -> None:
        self._redis = redis
        self._writes = asyncio.Lock()

    async def positions(self) -> dict[str, str]:
        """Domain -> last handled stream entry id."""
        return await self._redis.hgetall(POSITIONS)

    async def outbox(self) -> dict[str, int]:
        """Job key -> user id of every job with an undelivered view."""
        return {key: int(user) for key, user in (await self._redis.hgetall(OUTBOX)).items()}

    async def load(self, key: str) -> JobState | None:
        """The job's state, or None if it has none (new, or expired)."""
        fields = await self._redis.hgetall(_job(key))
        if "view" not in fields:
            return None
        return JobState(
            view=_View.model_validate_json(f'{{"view":{fields["view"]}}}').view,
            channel_id=fields.get("channel"),
            message_id=fields.get("message"),
            delivered=fields.get("delivered"),
        )

    async def flush(self, positions: Mapping[str, str], views: Mapping[str, JobView]) -> None:
        """After a group of events: the jobs' new views (to deliver) and the positions,
        in one MULTI."""
        async with self._writes:
            pipe = self._redis.pipeline()
            for key, view in views.items():
                text = _View(view=view).model_dump_json()[len('{"view":') : -1]
                pipe.add(commands.hset(_job(key), {"view": text}))
                pipe.add(commands.pexpire(_job(key), JOB_TTL_MS))
                pipe.add(commands.hset(OUTBOX, {key: view.user_id}))
            if positions:
                pipe.add(commands.hset(POSITIONS, dict(positions)))
            await pipe.execute()

    async def forget(self, key: str) -> None:
        """Take a job out of the outbox (its state has expired)."""
        async with self._writes:
            await self._redis.run(commands.hdel(OUTBOX, key))

    async def delivered(self, key: str, state: JobState, *, settled: bool) -> None:
        """After a delivery: where it is shown and what; out of the outbox when `settled`
        (nothing newer is waiting)."""
        fields = {
            name: value
            for name, value in (
                ("channel", state.channel_id),
                ("message", state.message_id),
                ("delivered", state.delivered),
            )
            if value is not None
        }
        async with self._writes:
            pipe = self._redis.pipeline()
            if fields:
                pipe.add(commands.hset(_job(key), fields))
                pipe.add(commands.pexpire(_job(key), JOB_TTL_MS))
            if settled:
                pipe.add(commands.hdel(OUTBOX, key))
            await pipe.execute()
