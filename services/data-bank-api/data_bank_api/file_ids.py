"""File ids: the lowercase SHA-256 hex digest of a file's content."""

import re

FILE_ID_PATTERN = "^[0-9a-fA-F]{64}$"
"""What a file id looks like, as the OpenAPI document states it."""
_HEX64 = re.compile(FILE_ID_PATTERN)


class InvalidFileIdError(ValueError):
    """A file id that is not 64 hexadecimal characters."""

    def __init__(self) -> None:
        super().__init__("invalid file_id")


def parse_file_id(raw: str) -> str:
    """`raw` as a file id: exactly 64 hex characters (any case), returned in lower case."""
    if _HEX64.fullmatch(raw) is None:
        raise InvalidFileIdError
    return raw.lower()
