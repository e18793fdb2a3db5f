"""Field types for settings whose environment text needs more than pydantic's defaults."""

from typing import Annotated, Literal
from urllib.parse import SplitResult, urlsplit

from pydantic import AfterValidator, BeforeValidator, Field

REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})


def split_commas(value: object) -> object:
    """`"a, b,,c"` -> `("a", "b", "c")`: trimmed, empty entries dropped (other values pass)."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def upper(value: object) -> object:
    """Upper-case a string (other values pass)."""
    if isinstance(value, str):
        return value.upper()
    return value


def _port(parts: SplitResult) -> int | None:
    """The URL's port; `urlsplit` checks it only when it is read (`:abc`, `:99999`)."""
    try:
        return parts.port
    except ValueError:
        # Its own message quotes the port: settings values are never echoed.
        raise ValueError("expected a port number (0-65535) in the Redis URL") from None


def check_redis_url(value: str) -> str:
    """Accept `redis://`, `rediss://` and `unix://` URLs; a TCP URL needs a host and a
    valid port if it names one, a `unix://` URL a socket path."""
    parts = urlsplit(value)
    if parts.scheme not in REDIS_SCHEMES:
        raise ValueError("expected a redis://, rediss:// or unix:// URL")
    if parts.scheme == "unix":
        if not parts.path:
            raise ValueError("expected a socket path in the unix:// URL")
        return value
    if not parts.hostname:
        raise ValueError("expected a host in the Redis URL")
    _port(parts)
    return value


CommaList = Annotated[tuple[str, ...], BeforeValidator(split_commas)]
"""A comma-separated list (`API_KEYS=a,b`); add `Field(min_length=1)` to require one entry."""

LogLevel = Annotated[
    Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], BeforeValidator(upper)
]
"""A standard log level name, any case."""

Port = Annotated[int, Field(ge=0, le=65535)]
"""A TCP port; 0 lets the system choose (tests)."""

RedisUrl = Annotated[str, AfterValidator(check_redis_url)]
"""A Redis URL (`redis://host:6379/0`, `rediss://...`, `unix:///path`)."""
