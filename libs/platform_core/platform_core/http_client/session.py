"""The session: one base URL, pooled connections, typed answers (see the package)."""

from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import httpx
from pydantic import JsonValue, TypeAdapter

__all__ = [
    "HttpAnswer",
    "HttpError",
    "HttpSession",
    "HttpTimeoutError",
    "HttpUnavailableError",
    "open_http",
]


_JSON: TypeAdapter[JsonValue] = TypeAdapter(JsonValue)


class HttpError(Exception):
    """A request got no answer."""


class HttpUnavailableError(HttpError):
    """The connection was refused or lost before the answer came."""


class HttpTimeoutError(HttpUnavailableError):
    """No answer within the session's timeout."""


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """The status, headers (lower-case names) and body of an answer."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class HttpSession:
    """Requests to one base URL over pooled keep-alive connections (`open_http`)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: JsonValue = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpAnswer:
        """Send one request (a JSON body when `json` is not None) and read its answer."""
        content = None if json is None else _JSON.dump_json(json)
        sent = dict(headers or {})
        if content is not None:
            sent["content-type"] = "application/json"
        try:
            response = await self._client.request(method, path, content=content, headers=sent)
        except httpx.TimeoutException as exc:
            raise HttpTimeoutError(f"{method} {path}: no answer ({exc!r})") from exc
        except httpx.TransportError as exc:
            raise HttpUnavailableError(f"{method} {path}: {exc!r}") from exc
        return HttpAnswer(
            response.status_code,
            {name.lower(): value for name, value in response.headers.items()},
            response.content,
        )

    async def aclose(self) -> None:
        """Close the connections."""
        await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def open_http(
    base_url: str, *, timeout_s: float, headers: Mapping[str, str] | None = None
) -> HttpSession:
    """A session on `base_url` whose requests carry `headers` and time out after `timeout_s`."""
    return HttpSession(
        httpx.AsyncClient(base_url=base_url, timeout=timeout_s, headers=dict(headers or {}))
    )
