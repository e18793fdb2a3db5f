"""The Discord REST calls the notifier makes, honouring Discord's rate limits.

Three calls: open a DM channel with a user, send a message, edit a message. Rate limits
(https://discord.com/developers/docs/topics/rate-limits):

- Before a request, wait while its route's bucket is spent (`X-RateLimit-Remaining: 0`
  until `X-RateLimit-Reset-After`) or a global limit is in force.
- A 429 answer says how long to wait (`retry_after`, seconds; `global: true` for every
  route): the client waits that long and sends the same request again, as Discord asks.
  This is the protocol, not a silent retry: each 429 is logged and counted in `stats`.

Calls on one route are serialized (one lock per route), so a caller's updates go out in
the order it made them. Other answers of 400 or more raise: `DiscordForbiddenError` (403:
the user does not accept DMs from the bot, or blocked it), `DiscordNotFoundError` (404: a
deleted message or channel), `DiscordApiError` otherwise.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, JsonValue

from platform_core.http_client import HttpAnswer, HttpSession
from platform_core.logging import log_fields

__all__ = [
    "DiscordApiError",
    "DiscordForbiddenError",
    "DiscordNotFoundError",
    "DiscordRest",
    "RateLimitStats",
]

logger = logging.getLogger(__name__)


class DiscordApiError(Exception):
    """Discord answered a request with an error status."""

    def __init__(self, route: str, status: int, body: bytes) -> None:
        super().__init__(f"{route}: HTTP {status}: {body[:300].decode(errors='replace')}")
        self.route = route
        self.status = status


class DiscordForbiddenError(DiscordApiError):
    """403: the bot may not do this (e.g. the user does not accept its DMs)."""


class DiscordNotFoundError(DiscordApiError):
    """404: the channel or message does not exist (any more)."""


class _RateLimited(BaseModel):
    model_config = ConfigDict(extra="ignore")

    retry_after: float
    # `global` is a keyword: read it by alias.
    is_global: bool = False

    @classmethod
    def parse(cls, body: bytes) -> "_RateLimited":
        return cls.model_validate_json(body.replace(b'"global"', b'"is_global"', 1))


class _Created(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str


@dataclass(slots=True)
class RateLimitStats:
    """What the client did about rate limits: 429s received, waits made (and their sum)."""

    requests: int = 0
    rate_limited: int = 0
    global_limited: int = 0
    waits: int = 0
    waited_s: float = 0.0
    by_route: dict[str, int] = field(default_factory=dict)


class DiscordRest:
    """Discord's REST API through `session` (its base URL ends in `/api/v10`).

    `session` must carry `Authorization: Bot <token>`. `clock` is the monotonic clock
    the limits are kept on.
    """

    def __init__(self, session: HttpSession, *, clock: Callable[[], float] | None = None) -> None:
        self._session = session
        self._clock = clock or asyncio.get_running_loop().time
        self._route_locks: dict[str, asyncio.Lock] = {}
        self._route_free_at: dict[str, float] = {}
        self._global_free_at = 0.0
        self.stats = RateLimitStats()

    async def open_dm(self, user_id: int) -> str:
        """The id of the DM channel with `user_id` (created if needed)."""
        answer = await self._call(
            "POST /users/@me/channels",
            "POST",
            "/users/@me/channels",
            {"recipient_id": str(user_id)},
        )
        return _Created.model_validate_json(answer.body).id

    async def send(self, channel_id: str, content: str) -> str:
        """Post `content` in the channel; the new message's id."""
        answer = await self._call(
            f"POST /channels/{channel_id}/messages",
            "POST",
            f"/channels/{channel_id}/messages",
            {"content": content},
        )
        return _Created.model_validate_json(answer.body).id

    async def edit(self, channel_id: str, message_id: str, content: str) -> None:
        """Replace the content of a message the bot sent."""
        await self._call(
            f"PATCH /channels/{channel_id}/messages",
            "PATCH",
            f"/channels/{channel_id}/messages/{message_id}",
            {"content": content},
        )

    async def _call(self, route: str, method: str, path: str, body: JsonValue) -> HttpAnswer:
        lock = self._route_locks.setdefault(route, asyncio.Lock())
        async with lock:
            while True:
                await self._wait_until(
                    max(self._global_free_at, self._route_free_at.get(route, 0.0))
                )
                self.stats.requests += 1
                answer = await self._session.request(method, path, json=body)
                self._note_bucket(route, answer)
                if answer.status != 429:
                    break
                self._note_429(route, answer)
        if answer.status == 403:
            raise DiscordForbiddenError(route, answer.status, answer.body)
        if answer.status == 404:
            raise DiscordNotFoundError(route, answer.status, answer.body)
        if answer.status >= 400:
            raise DiscordApiError(route, answer.status, answer.body)
        return answer

    async def _wait_until(self, free_at: float) -> None:
        delay = free_at - self._clock()
        if delay > 0:
            self.stats.waits += 1
            self.stats.waited_s += delay
            await asyncio.sleep(delay)

    def _note_bucket(self, route: str, answer: HttpAnswer) -> None:
        remaining = answer.headers.get("x-ratelimit-remaining")
        reset_after = answer.headers.get("x-ratelimit-reset-after")
        if remaining == "0" and reset_after is not None:
            self._route_free_at[route] = self._clock() + float(reset_after)

    def _note_429(self, route: str, answer: HttpAnswer) -> None:
        limited = _RateLimited.parse(answer.body)
        free_at = self._clock() + limited.retry_after
        self.stats.rate_limited += 1
        self.stats.by_route[route] = self.stats.by_route.get(route, 0) + 1
        if limited.is_global:
            self.stats.global_limited += 1
            self._global_free_at = max(self._global_free_at, free_at)
        else:
            self._route_free_at[route] = max(self._route_free_at.get(route, 0.0), free_at)
        logger.warning(
            "discord rate limit",
            extra=log_fields(
                route=route,
                retry_after=limited.retry_after,
                scope="global" if limited.is_global else "route",
            ),
        )
