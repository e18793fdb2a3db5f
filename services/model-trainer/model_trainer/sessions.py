"""Chat sessions: the conversation of a run's chat, kept in Redis with a TTL.

One key per session, `trainer:chat:<run_id>:<session_id>`, holding the JSON
`ChatSession`; every message refreshes the TTL (`TRAINER_CHAT_SESSION_TTL_SECONDS`,
default 3600 s, as the original). The API creates a session on its first message and
reads and deletes it; the worker appends each turn.
"""

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from model_trainer.inference import ChatMessage
from platform_workers.async_redis import RedisClient


class SessionNotFoundError(Exception):
    """The chat session does not exist (never created, deleted, or expired)."""


class CorruptSessionError(Exception):
    """A session key holds something that is not a `ChatSession`."""


class ChatSession(BaseModel):
    """One conversation with a run's model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str
    session_id: str
    created_at: str
    session_ttl_sec: int
    messages: list[ChatMessage]


def session_key(run_id: str, session_id: str) -> str:
    """The Redis key of a session."""
    return f"trainer:chat:{run_id}:{session_id}"


class ChatSessions:
    """Chat sessions in Redis."""

    def __init__(self, redis: RedisClient, ttl_s: int) -> None:
        self._redis = redis
        self._ttl_s = ttl_s

    async def create(self, run_id: str, session_id: str) -> ChatSession:
        """A new, empty session."""
        session = ChatSession(
            run_id=run_id,
            session_id=session_id,
            created_at=datetime.now(UTC).isoformat(),
            session_ttl_sec=self._ttl_s,
            messages=[],
        )
        await self._write(session)
        return session

    async def read(self, run_id: str, session_id: str) -> ChatSession | None:
        """The session, or None."""
        raw = await self._redis.get(session_key(run_id, session_id))
        if raw is None:
            return None
        try:
            return ChatSession.model_validate_json(raw)
        except ValidationError as exc:
            raise CorruptSessionError(f"chat session {session_id} is corrupt") from exc

    async def append(self, session: ChatSession, messages: list[ChatMessage]) -> ChatSession:
        """The session with `messages` appended (written back, TTL refreshed)."""
        updated = ChatSession(
            run_id=session.run_id,
            session_id=session.session_id,
            created_at=session.created_at,
            session_ttl_sec=self._ttl_s,
            messages=[*session.messages, *messages],
        )
        await self._write(updated)
        return updated

    async def delete(self, run_id: str, session_id: str) -> bool:
        """Delete a session; whether it existed."""
        return await self._redis.delete(session_key(run_id, session_id)) > 0

    async def _write(self, session: ChatSession) -> None:
        key = session_key(session.run_id, session.session_id)
        await self._redis.set(key, session.model_dump_json(), px=self._ttl_s * 1000)
