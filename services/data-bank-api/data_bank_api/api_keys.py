"""Scoped API keys (`X-API-Key`) compared in constant time.

Three scopes, each a set of keys: `upload` (POST /files), `read` (GET/HEAD /files/{id},
GET /files/{id}/info) and `delete` (DELETE /files/{id} and the admin scrub endpoints).
Every scope needs at least one key: authentication is never silently disabled.
A presented key is hashed and compared against the SHA-256 of every key of the scope
with `hmac.compare_digest`, without stopping at the first match, so the time taken
does not depend on which key (or how much of one) matched.
"""

import hashlib
import hmac
from collections.abc import Iterable
from enum import StrEnum

API_KEY_HEADER = "X-API-Key"


class Scope(StrEnum):
    """What a key may do."""

    UPLOAD = "upload"
    READ = "read"
    DELETE = "delete"


class MissingApiKeyError(Exception):
    """No key was sent (or only whitespace): 401."""

    def __init__(self) -> None:
        super().__init__("missing API key")


class WrongApiKeyError(Exception):
    """The key sent is not one of the scope's keys: 403."""

    def __init__(self) -> None:
        super().__init__("invalid API key for permission")


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()


def _digests(scope: Scope, keys: tuple[str, ...]) -> tuple[bytes, ...]:
    if not keys:
        raise ValueError(f"the {scope} scope needs at least one API key")
    if any(not key.strip() for key in keys):
        raise ValueError(f"the {scope} scope has an empty API key")
    return tuple(_digest(key) for key in keys)


class ApiKeys:
    """The key sets of the three scopes; `read` and `delete` default to the upload keys."""

    def __init__(
        self,
        upload: Iterable[str],
        read: Iterable[str] | None = None,
        delete: Iterable[str] | None = None,
    ) -> None:
        upload_keys = tuple(upload)
        self._scopes = {
            Scope.UPLOAD: _digests(Scope.UPLOAD, upload_keys),
            Scope.READ: _digests(Scope.READ, upload_keys if read is None else tuple(read)),
            Scope.DELETE: _digests(Scope.DELETE, upload_keys if delete is None else tuple(delete)),
        }

    def check(self, scope: Scope, presented: str | None) -> None:
        """Return if `presented` is a key of `scope`, else raise the 401 or 403 error."""
        if presented is None or not presented.strip():
            raise MissingApiKeyError
        digest = _digest(presented)
        matched = False
        for candidate in self._scopes[scope]:
            matched |= hmac.compare_digest(digest, candidate)
        if not matched:
            raise WrongApiKeyError
