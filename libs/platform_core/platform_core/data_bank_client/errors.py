"""The client's errors: one type per failure a caller may want to handle differently."""

from pydantic import BaseModel, ValidationError


class DataBankError(Exception):
    """Any failure of a data-bank call."""


class DataBankUnavailableError(DataBankError):
    """The request did not complete: connection refused or lost (nothing was retried)."""


class DataBankTimeoutError(DataBankUnavailableError):
    """The server did not answer within the client's timeout."""


class DataBankProtocolError(DataBankError):
    """The server answered something data-bank-api never sends (a malformed body or header)."""


class ChecksumMismatchError(DataBankError):
    """Bytes do not hash to the SHA-256 they should have (nothing unverified is kept)."""


class PartialDownloadError(DataBankError):
    """A partial download on disk cannot be the start of the file (delete it to start over)."""


class DataBankHTTPError(DataBankError):
    """An error answer: its status and the error envelope's code, message and request id."""

    def __init__(self, status: int, code: str, message: str, request_id: str) -> None:
        summary = (
            f"HTTP {status}" + (f" {code}" if code else "") + (f": {message}" if message else "")
        )
        super().__init__(summary)
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id


class BadRequestError(DataBankHTTPError):
    """400: e.g. a malformed file id or upload."""


class UnauthorizedError(DataBankHTTPError):
    """401: the API key is missing."""


class ForbiddenError(DataBankHTTPError):
    """403: the API key lacks the scope."""


class NotFoundError(DataBankHTTPError):
    """404: no such file."""


class ConflictError(DataBankHTTPError):
    """409."""


class PayloadTooLargeError(DataBankHTTPError):
    """413: the upload is over the server's limit."""


class RangeNotSatisfiableError(DataBankHTTPError):
    """416: the requested range is outside the file."""


class InsufficientStorageError(DataBankHTTPError):
    """507: the server is out of space."""


_BY_STATUS: dict[int, type[DataBankHTTPError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    416: RangeNotSatisfiableError,
    507: InsufficientStorageError,
}


class _Envelope(BaseModel):
    code: str
    message: str
    request_id: str


def http_error(status: int, body: bytes) -> DataBankHTTPError:
    """The typed error for an error answer; the envelope fills code and message if present."""
    kind = _BY_STATUS.get(status, DataBankHTTPError)
    try:
        envelope = _Envelope.model_validate_json(body)
    except ValidationError:
        return kind(status, "", body[:200].decode("utf-8", "replace"), "")
    return kind(status, envelope.code, envelope.message, envelope.request_id)
