"""The notifier's durable state in Redis: stream positions, each job's message, the outbox.

Keys (one hash tag, so one MULTI may touch them all on a Redis Cluster):

- `{discord-bot}:positions` hash: domain -> id of the last stream entry handled.
- `{discord-bot}:job:<domain>:<job_id>` string (JSON `JobState`, expires `JOB_TTL_MS` after
  its last change): the job's view, its DM channel and message, the text last delivered.
- `{discord-bot}:outbox` hash: job key -> user id, for each job whose latest text is not
  delivered yet (what a restart delivers first).
"""

import asyncio

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
        """Job key -> user id of every job with an undelivered text."""
        return {key: int(user) for key, user in (await self._redis.hgetall(OUTBOX)).items()}

    async def load(self, key: str) -> JobState | None:
        """The job's state, or None if it has none (new, or expired)."""
        text = await self._redis.get(f"{_TAG}:job:{key}")
        return None if text is None else JobState.model_validate_json(text)

    async def handled(self, domain: str, entry_id: str, key: str, state: JobState) -> None:
        """After an event: its job's new state (to deliver) and the position, atomically."""
        async with self._writes:
            pipe = self._redis.pipeline()
            pipe.add(commands.set_(f"{_TAG}:job:{key}", state.model_dump_json(), px=JOB_TTL_MS))
            pipe.add(commands.hset(OUTBOX, {key: state.view.user_id}))
            pipe.add(commands.hset(POSITIONS, {domain: entry_id}))
            await pipe.execute()

    async def skipped(self, domain: str, entry_id: str) -> None:
        """After an event with nothing to deliver: the position only."""
        async with self._writes:
            await self._redis.hset(POSITIONS, {domain: entry_id})

    async def forget(self, key: str) -> None:
        """Take a job out of the outbox (its state has expired)."""
        async with self._writes:
            await self._redis.run(commands.hdel(OUTBOX, key))

    async def delivered(self, key: str, state: JobState, *, settled: bool) -> None:
        """After a delivery: the state (message ids, delivered text); out of the outbox
        when `settled` (nothing newer is waiting)."""
        async with self._writes:
            pipe = self._redis.pipeline()
            pipe.add(commands.set_(f"{_TAG}:job:{key}", state.model_dump_json(), px=JOB_TTL_MS))
            if settled:
                pipe.add(commands.hdel(OUTBOX, key))
            await pipe.execute()
