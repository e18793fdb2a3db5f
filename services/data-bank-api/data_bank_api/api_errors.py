"""How the engine's and the request rules' errors reach the client (the original's messages)."""

from data_bank_api.api_keys import MissingApiKeyError, WrongApiKeyError
from data_bank_api.file_ids import InvalidFileIdError
from data_bank_api.multipart_upload import UploadRejectedError
from data_bank_api.storage_errors import (
    FileTooLargeError,
    InsufficientStorageError,
    MetadataCorruptError,
    MetadataMissingError,
    ObjectNotFoundError,
    StorageError,
)
from platform_core.errors import AppError, ErrorCode

ApiError = (
    MissingApiKeyError | WrongApiKeyError | InvalidFileIdError | UploadRejectedError | StorageError
)
API_ERRORS = (
    MissingApiKeyError,
    WrongApiKeyError,
    InvalidFileIdError,
    UploadRejectedError,
    StorageError,
)
"""What the handlers translate (`except API_ERRORS as exc: raise app_error(exc)`)."""


_FIXED: tuple[tuple[type[Exception], ErrorCode, str], ...] = (
    (MissingApiKeyError, ErrorCode.UNAUTHORIZED, "missing API key"),
    (WrongApiKeyError, ErrorCode.FORBIDDEN, "invalid API key for permission"),
    (InvalidFileIdError, ErrorCode.INVALID_INPUT, "invalid file_id"),
    (ObjectNotFoundError, ErrorCode.NOT_FOUND, "file not found"),
    (FileTooLargeError, ErrorCode.PAYLOAD_TOO_LARGE, "file too large"),
    (InsufficientStorageError, ErrorCode.INSUFFICIENT_STORAGE, "insufficient free space"),
    # The original answered these with 400; a damaged sidecar is our fault, not the client's.
    (MetadataMissingError, ErrorCode.INTERNAL_ERROR, "metadata missing"),
    (MetadataCorruptError, ErrorCode.INTERNAL_ERROR, "metadata incomplete"),
)


def app_error(exc: ApiError) -> AppError:
    """The client-visible error for `exc` (the original's codes and messages)."""
    if isinstance(exc, UploadRejectedError):
        code = ErrorCode.UNSUPPORTED_MEDIA_TYPE if exc.status == 415 else ErrorCode.INVALID_INPUT
        return AppError(code, exc.message)
    for kind, code, message in _FIXED:
        if isinstance(exc, kind):
            return AppError(code, message)
    # StorageIOError: a filesystem call failed (logged with its cause by the error middleware).
    return AppError(ErrorCode.INTERNAL_ERROR, "storage I/O error")
