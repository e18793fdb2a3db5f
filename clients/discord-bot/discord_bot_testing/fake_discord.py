"""A local fake of the Discord REST endpoints the bot uses, with Discord's 429 behaviour.

Endpoints (under `/api/v10`, `Authorization: Bot <token>` required, else 401):
`POST /users/@me/channels` `{"recipient_id"}` -> the DM channel `{"id"}`;
`POST /channels/{id}/messages` `{"content"}` -> `{"id"}`;
`PATCH /channels/{id}/messages/{message_id}` `{"content"}` -> `{"id"}`.

Rate limits as Discord states them: each route (the method and the channel) is a bucket
of `route_limit` requests per `window_s`, announced in `X-RateLimit-*` headers; a request
to a spent bucket gets 429 `{"retry_after": s, "global": false}`. `limit_globally(s)`
answers the next request with a global 429. A request that arrives while a 429 it was
told to wait for is still running counts as a `violation` (a client that ignores
`retry_after`). Users in `blocked` get 403 code 50007 when messaged.
"""

import itertools
from dataclasses import dataclass, field
from time import monotonic

from pydantic import BaseModel, ConfigDict, JsonValue, TypeAdapter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

API = "/api/v10"

_BODY: TypeAdapter[dict[str, JsonValue]] = TypeAdapter(dict[str, JsonValue])


def _json(
    body: dict[str, JsonValue], *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        _BODY.dump_json(body), status_code, headers=headers, media_type="application/json"
    )


def _segment(request: Request, index: int) -> str:
    """A part of `/api/v10/channels/{channel}/messages/{message}` (4: channel, 6: message)."""
    return request.url.path.split("/")[index]


class _Recipient(BaseModel):
    model_config = ConfigDict(extra="ignore")

    recipient_id: str


class _Content(BaseModel):
    model_config = ConfigDict(extra="ignore")

    content: str


@dataclass(slots=True)
class FakeMessage:
    """A message the bot sent: its channel, its content now, every content it had (timed)."""

    id: str
    channel_id: str
    content: str
    history: list[tuple[float, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Bucket:
    reset_at: float = 0.0
    remaining: int = 0
    limited_until: float = 0.0


class FakeDiscord:
    """The fake's state; `app()` serves it."""

    def __init__(
        self,
        *,
        token: str,
        route_limit: int = 5,
        window_s: float = 1.0,
        blocked: frozenset[int] = frozenset(),
    ) -> None:
        self.token = token
        self.route_limit = route_limit
        self.window_s = window_s
        self.blocked = blocked
        self.channels: dict[str, int] = {}
        self.messages: dict[str, FakeMessage] = {}
        self.requests = 0
        self.answered_429 = 0
        self.violations = 0
        self._ids = itertools.count(1000)
        self._buckets: dict[str, _Bucket] = {}
        self._global_until = 0.0
        self._global_next: float | None = None

    def limit_globally(self, retry_after_s: float) -> None:
        """Answer the next request with a global 429 asking to wait `retry_after_s`."""
        self._global_next = retry_after_s

    def messages_of(self, user_id: int) -> list[FakeMessage]:
        """The messages in the DM channel(s) of `user_id`, oldest first."""
        channels = {cid for cid, uid in self.channels.items() if uid == user_id}
        return [m for m in self.messages.values() if m.channel_id in channels]

    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(
            routes=[
                Route(f"{API}/users/@me/channels", self._open_dm, methods=["POST"]),
                Route(f"{API}/channels/{{channel}}/messages", self._send, methods=["POST"]),
                Route(
                    f"{API}/channels/{{channel}}/messages/{{message}}",
                    self._edit,
                    methods=["PATCH"],
                ),
            ]
        )

    def _limited(self, route: str) -> Response | None:
        """None when the request may go ahead, else the 429 (or 401) to answer."""
        self.requests += 1
        now = monotonic()
        bucket = self._buckets.setdefault(route, _Bucket())
        if now < max(self._global_until, bucket.limited_until):
            self.violations += 1
        if self._global_next is not None:
            retry, self._global_next = self._global_next, None
            self._global_until = now + retry
            return self._too_many(retry, is_global=True)
        if now >= bucket.reset_at:
            bucket.reset_at, bucket.remaining = now + self.window_s, self.route_limit
        if bucket.remaining == 0:
            bucket.limited_until = bucket.reset_at
            return self._too_many(bucket.reset_at - now, is_global=False)
        bucket.remaining -= 1
        return None

    def _too_many(self, retry_after: float, *, is_global: bool) -> Response:
        self.answered_429 += 1
        body: dict[str, JsonValue] = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": is_global,
        }
        return _json(body, status_code=429)

    def _headers(self, route: str) -> dict[str, str]:
        bucket = self._buckets[route]
        return {
            "X-RateLimit-Limit": str(self.route_limit),
            "X-RateLimit-Remaining": str(bucket.remaining),
            "X-RateLimit-Reset-After": f"{max(0.0, bucket.reset_at - monotonic()):.3f}",
            "X-RateLimit-Bucket": route,
        }

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bot {self.token}"

    async def _open_dm(self, request: Request) -> Response:
        if not self._authorized(request):
            return _json({"message": "401: Unauthorized", "code": 0}, status_code=401)
        route = "POST dm"
        limited = self._limited(route)
        if limited is not None:
            return limited
        user_id = int(_Recipient.model_validate_json(await request.body()).recipient_id)
        channel = next((c for c, u in self.channels.items() if u == user_id), None)
        if channel is None:
            channel = str(next(self._ids))
            self.channels[channel] = user_id
        return _json({"id": channel, "type": 1}, headers=self._headers(route))

    async def _send(self, request: Request) -> Response:
        if not self._authorized(request):
            return _json({"message": "401: Unauthorized", "code": 0}, status_code=401)
        channel = _segment(request, 4)
        route = f"POST {channel}"
        limited = self._limited(route)
        if limited is not None:
            return limited
        if channel not in self.channels:
            return _json({"message": "Unknown Channel", "code": 10003}, status_code=404)
        if self.channels[channel] in self.blocked:
            return _json(
                {"message": "Cannot send messages to this user", "code": 50007},
                status_code=403,
            )
        content = _Content.model_validate_json(await request.body()).content
        message = FakeMessage(str(next(self._ids)), channel, content)
        message.history.append((monotonic(), content))
        self.messages[message.id] = message
        return _json({"id": message.id}, headers=self._headers(route))

    async def _edit(self, request: Request) -> Response:
        if not self._authorized(request):
            return _json({"message": "401: Unauthorized", "code": 0}, status_code=401)
        channel = _segment(request, 4)
        route = f"PATCH {channel}"
        limited = self._limited(route)
        if limited is not None:
            return limited
        message = self.messages.get(_segment(request, 6))
        if message is None or message.channel_id != channel:
            return _json({"message": "Unknown Message", "code": 10008}, status_code=404)
        message.content = _Content.model_validate_json(await request.body()).content
        message.history.append((monotonic(), message.content))
        return _json({"id": message.id}, headers=self._headers(route))
