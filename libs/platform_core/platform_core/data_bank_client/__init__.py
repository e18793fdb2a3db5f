"""An async client for data-bank-api: upload, head/info, resumable verified download, delete.

    async with DataBankClient("http://data-bank:8001", api_key) as bank:
        stored = await bank.upload_file(path, content_type="text/plain; charset=utf-8")
        await bank.download_to_path(stored.file_id, target)   # resumes, checks SHA-256

Every call is one HTTP request (a download: HEAD, then at most one GET); nothing is
retried. Failures are typed (`NotFoundError`, `UnauthorizedError`, ...,
`DataBankUnavailableError` for transport failures, `ChecksumMismatchError` when bytes do
not hash to their id). The current request or job id goes out as `X-Request-ID`.
"""

from platform_core.data_bank_client.client import DEFAULT_CHUNK_BYTES, DataBankClient
from platform_core.data_bank_client.errors import (
    BadRequestError,
    ChecksumMismatchError,
    ConflictError,
    DataBankError,
    DataBankHTTPError,
    DataBankProtocolError,
    DataBankTimeoutError,
    DataBankUnavailableError,
    ForbiddenError,
    InsufficientStorageError,
    NotFoundError,
    PartialDownloadError,
    PayloadTooLargeError,
    RangeNotSatisfiableError,
    UnauthorizedError,
)
from platform_core.data_bank_client.models import Download, FileHead, FileInfo

__all__ = [
    "DEFAULT_CHUNK_BYTES",
    "BadRequestError",
    "ChecksumMismatchError",
    "ConflictError",
    "DataBankClient",
    "DataBankError",
    "DataBankHTTPError",
    "DataBankProtocolError",
    "DataBankTimeoutError",
    "DataBankUnavailableError",
    "Download",
    "FileHead",
    "FileInfo",
    "ForbiddenError",
    "InsufficientStorageError",
    "NotFoundError",
    "PartialDownloadError",
    "PayloadTooLargeError",
    "RangeNotSatisfiableError",
    "UnauthorizedError",
]
