"""The three key scopes of `X-API-Key` and the kit auth that checks them.

`upload` (POST /files), `read` (GET/HEAD /files/{id}, GET /files/{id}/info) and `delete`
(DELETE /files/{id} and the admin scrub endpoints); `read` and `delete` default to the
upload keys. Routes declare their scope (`.requires(Scope.READ)`); the kit checks the key
first, in constant time over every key of the scope, and answers a missing or blank key
with 401 `UNAUTHORIZED` "missing API key" and a key outside the scope with 403
`FORBIDDEN` "invalid API key for permission" (the original's answers).
"""

from enum import StrEnum

from data_bank_api.settings import DataBankSettings
from platform_core.errors import ErrorCode
from platform_core.http import ApiKeys, Refusal

MISSING_KEY = Refusal(ErrorCode.UNAUTHORIZED, "missing API key")
WRONG_KEY = Refusal(ErrorCode.FORBIDDEN, "invalid API key for permission")


class Scope(StrEnum):
    """What a key may do."""

    UPLOAD = "upload"
    READ = "read"
    DELETE = "delete"


def api_keys(settings: DataBankSettings) -> ApiKeys:
    """The keys of each scope from `API_UPLOAD_KEYS`, `API_READ_KEYS`, `API_DELETE_KEYS`."""
    upload = settings.api_upload_keys
    return ApiKeys(
        {
            Scope.UPLOAD: upload,
            Scope.READ: settings.api_read_keys or upload,
            Scope.DELETE: settings.api_delete_keys or upload,
        },
        missing=MISSING_KEY,
        wrong=WRONG_KEY,
    )
