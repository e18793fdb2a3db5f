"""The one error type of qr-api's request rules: a client mistake with its message.

Validation and rendering know nothing about HTTP; the app turns this error into the
platform's 400 `INVALID_INPUT` envelope with `message` as the text.
"""


class QrInputError(ValueError):
    """A client mistake: `message` is the exact text the client sees."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
