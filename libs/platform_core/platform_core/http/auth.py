"""Route-level API-key auth: a route names the scope it needs, the app says which keys open it.

    auth = ApiKeys({"upload": settings.api_upload_keys, "read": settings.api_read_keys})
    create_app(..., auth=auth, routes=[post("/files").requires("upload")...to(upload)])

The key is checked before anything else of the request is looked at: before the path
and query are parsed and before a byte of the body is read. A presented key is hashed
and compared with the SHA-256 of every key of the scope by `hmac.compare_digest`,
without stopping at a match, so the time taken depends neither on which key matched
nor on how much of one did. `OpenAccess` is the explicit choice to check no key at all
(logged at startup, and the OpenAPI document then shows no security).
"""

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from starlette.datastructures import Headers

from platform_core.config import ApiKeySettings, env_var_name
from platform_core.errors import AppError, ErrorCode, default_status

API_KEY_HEADER = "X-API-Key"
SECURITY_SCHEME = "ApiKey"
"""The name of the API-key security scheme in the OpenAPI document."""

Compare = Callable[[bytes, bytes], bool]
KeyCheck = Callable[[Headers], None]


@dataclass(frozen=True, slots=True)
class Refusal:
    """How a refused request is answered: the code and message of its error envelope
    (the status is the code's: `UNAUTHORIZED` 401, `FORBIDDEN` 403)."""

    code: ErrorCode
    message: str

    @property
    def status(self) -> int:
        """The HTTP status of the refusal."""
        return default_status(self.code)

    def error(self) -> AppError:
        """A fresh `AppError` for one refused request."""
        return AppError(self.code, self.message)


UNAUTHORIZED = Refusal(ErrorCode.UNAUTHORIZED, "Unauthorized")
"""401 `UNAUTHORIZED` "Unauthorized": the original platform's answer to a missing or wrong key."""


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()


class ApiKeys:
    """The keys that open each scope, where they are sent, and how a refusal reads.

    - `scopes`: scope name -> its keys; every scope needs at least one key and no key
      may be blank (a scope without keys would be open: use `OpenAccess` for that).
    - `header`: the request header holding the key (`X-API-Key`).
    - `missing`: the answer when the header is absent or blank; `wrong`: when the key is
      not one of the scope's. Both default to 401 "Unauthorized".
    - `compare`: the digest comparison (tests pass a recording one).
    """

    def __init__(
        self,
        scopes: Mapping[str, Iterable[str]],
        *,
        header: str = API_KEY_HEADER,
        missing: Refusal = UNAUTHORIZED,
        wrong: Refusal = UNAUTHORIZED,
        compare: Compare = hmac.compare_digest,
    ) -> None:
        if not scopes:
            raise ValueError("ApiKeys needs at least one scope")
        digests: dict[str, tuple[bytes, ...]] = {}
        for scope, keys in scopes.items():
            listed = tuple(keys)
            if not listed:
                raise ValueError(f"the {scope} scope needs at least one API key")
            if any(not key.strip() for key in listed):
                raise ValueError(f"the {scope} scope has an empty API key")
            digests[scope] = tuple(_digest(key) for key in listed)
        self._digests = digests
        self.header = header
        self.missing = missing
        self.wrong = wrong
        self._compare = compare

    @property
    def scopes(self) -> frozenset[str]:
        """The scope names routes may require."""
        return frozenset(self._digests)

    def check(self, scope: str, presented: str | None) -> None:
        """Return if `presented` is a key of `scope`; else raise the `missing` or `wrong` error."""
        if presented is None or not presented.strip():
            raise self.missing.error()
        digest = _digest(presented)
        matched = False
        for candidate in self._digests[scope]:
            # `|=`, not `or`: every key is compared, a match does not end the loop early.
            matched |= self._compare(digest, candidate)
        if not matched:
            raise self.wrong.error()

    def guard(self, scope: str) -> KeyCheck:
        """The check of one route: reads the header, raises the refusal."""
        if scope not in self._digests:
            raise ValueError(f"no API keys are configured for the {scope!r} scope")
        header = self.header

        def check(headers: Headers) -> None:
            self.check(scope, headers.get(header))

        return check


@dataclass(frozen=True, slots=True)
class OpenAccess:
    """No API key is checked: every route that `requires` a scope is open.

    An explicit choice (`reason` says whose: `"SECURITY__API_KEY_ENABLED=false"`), logged
    as a warning when the app starts; the OpenAPI document then declares no security.
    """

    reason: str


Auth = ApiKeys | OpenAccess


def api_key_auth(settings: ApiKeySettings, *scopes: str) -> Auth:
    """The auth of a service with one key (`ApiKeySettings`): that key opens every one of
    `scopes` (default: the scope `"api"`), missing or wrong keys are 401 "Unauthorized";
    with the key switched off, `OpenAccess`."""
    if not settings.api_key_enabled:
        switch = env_var_name(type(settings), "api_key_enabled")
        return OpenAccess(f"{switch}=false")
    key = settings.api_key or ""
    return ApiKeys(dict.fromkeys(scopes or ("api",), (key,)))
