"""handwriting-ai's domain errors: a wire code and a message each; no HTTP here.

`handwriting_ai.app.ERRORS` gives each class its status: `ReadInputError` 400 (a bad
form, image or manifest), `UnsupportedMediaError` 415, `TooLargeError` 413,
`ModelMissingError` 503, `PredictTimeoutError` 504, `JobNotFoundError` 404.
"""

from enum import StrEnum

from platform_core.errors import ErrorCode


class DigitsErrorCode(StrEnum):
    """The original's own codes (wire value = the original's lower-case text)."""

    MALFORMED_MULTIPART = "malformed_multipart"
    INVALID_IMAGE = "invalid_image"
    BAD_DIMENSIONS = "bad_dimensions"
    PREPROCESSING_FAILED = "preprocessing_failed"
    INVALID_MODEL = "invalid_model"


class DigitsError(Exception):
    """A request the service cannot serve: `code` and `message` as the client sees them."""

    def __init__(self, code: StrEnum, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ReadInputError(DigitsError):
    """The form, the image or the manifest is not acceptable (400)."""


class UnsupportedMediaError(DigitsError):
    """The file part is not PNG or JPEG (415)."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Only PNG and JPEG images are supported")


class TooLargeError(DigitsError):
    """The file or the image's pixel count is over the limit (413)."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.PAYLOAD_TOO_LARGE, message)


class ModelMissingError(DigitsError):
    """No model is loaded (503)."""

    def __init__(self) -> None:
        super().__init__(
            ErrorCode.SERVICE_UNAVAILABLE, "Model not loaded. Upload or train a model."
        )


class PredictTimeoutError(DigitsError):
    """The prediction took longer than its timeout (504)."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.TIMEOUT, "Prediction timed out")


def malformed(message: str) -> ReadInputError:
    """`malformed_multipart`."""
    return ReadInputError(DigitsErrorCode.MALFORMED_MULTIPART, message)


def invalid_image(message: str = "Failed to decode image") -> ReadInputError:
    """`invalid_image`."""
    return ReadInputError(DigitsErrorCode.INVALID_IMAGE, message)


def preprocessing_failed(message: str) -> ReadInputError:
    """`preprocessing_failed` (also the original's code for manifest problems)."""
    return ReadInputError(DigitsErrorCode.PREPROCESSING_FAILED, message)


def invalid_model(message: str = "Invalid model file") -> ReadInputError:
    """`invalid_model`."""
    return ReadInputError(DigitsErrorCode.INVALID_MODEL, message)
