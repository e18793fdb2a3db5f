"""What the data bank says about a file."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_sha256(value: str) -> str:
    """A SHA-256 as data-bank-api writes it: 64 lowercase hex characters."""
    if not _SHA256.fullmatch(value):
        raise ValueError("expected 64 lowercase hex characters")
    return value


Sha256 = Annotated[str, AfterValidator(check_sha256)]


class FileInfo(BaseModel):
    """A stored file (`POST /files`, `GET /files/{id}/info`); its id is its SHA-256."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    file_id: Sha256
    size: int = Field(ge=0)
    sha256: Sha256
    content_type: str = Field(min_length=1)
    created_at: datetime | None

    @model_validator(mode="after")
    def _content_addressed(self) -> "FileInfo":
        if self.file_id != self.sha256:
            raise ValueError("file_id must equal sha256")
        return self


@dataclass(frozen=True, slots=True)
class FileHead:
    """A file's size, SHA-256 (from its ETag) and content type, as HEAD reports them."""

    size: int
    sha256: str
    content_type: str


@dataclass(frozen=True, slots=True)
class Download:
    """An open download: what it is, where it starts, and its bytes (iterate once)."""

    head: FileHead
    start: int
    chunks: AsyncIterator[bytes]
