"""The app's domain-error table: how the engine's, the upload rules' and the queue's
errors answer (the original's codes and messages)."""

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
from platform_core.http import ErrorRule, maps
from platform_core.http.redis_errors import STORE_UNAVAILABLE
from platform_workers.async_queue import TaskMismatchError


def upload_rejected(exc: UploadRejectedError) -> AppError:
    """400, or 415 for a body that is not multipart/form-data, with the rule's message."""
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE if exc.status == 415 else ErrorCode.INVALID_INPUT
    return AppError(code, exc.message)


ERRORS: list[ErrorRule] = [
    maps(InvalidFileIdError, lambda _: AppError(ErrorCode.INVALID_INPUT, "invalid file_id")),
    maps(UploadRejectedError, upload_rejected),
    maps(ObjectNotFoundError, lambda _: AppError(ErrorCode.NOT_FOUND, "file not found")),
    maps(FileTooLargeError, lambda _: AppError(ErrorCode.PAYLOAD_TOO_LARGE, "file too large")),
    maps(
        InsufficientStorageError,
        lambda _: AppError(ErrorCode.INSUFFICIENT_STORAGE, "insufficient free space"),
    ),
    # The original answered these with 400; a damaged sidecar is our fault, not the client's.
    maps(MetadataMissingError, lambda _: AppError(ErrorCode.INTERNAL_ERROR, "metadata missing")),
    maps(MetadataCorruptError, lambda _: AppError(ErrorCode.INTERNAL_ERROR, "metadata incomplete")),
    # Any other StorageError (StorageIOError: a filesystem call failed; logged with its cause).
    maps(StorageError, lambda _: AppError(ErrorCode.INTERNAL_ERROR, "storage I/O error")),
    # A job id of another task is no scrub job.
    maps(TaskMismatchError, lambda _: AppError(ErrorCode.JOB_NOT_FOUND, "job not found")),
    STORE_UNAVAILABLE,
]
"""Passed to `create_app(errors=...)`: the handlers raise domain errors, never translate."""
