"""The JSON bodies of the API (the original's field names and formats)."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from data_bank_api.engine import StoredFile
from data_bank_api.file_ids import FILE_ID_PATTERN
from data_bank_api.scrub import ScrubReport


def _isoformat(moment: datetime) -> str:
    return moment.isoformat()


IsoTime = Annotated[datetime, PlainSerializer(_isoformat, return_type=str)]
"""A time as the original wrote it: `datetime.isoformat()` (`...T10:00:00.123456+00:00`)."""


class FileInfo(BaseModel):
    """A stored file: `POST /files` (201) and `GET /files/{file_id}/info`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file_id: str = Field(description="the SHA-256 of the content, 64 lowercase hex characters")
    size: int = Field(description="bytes")
    sha256: str = Field(description="equal to file_id")
    content_type: str = Field(description="the upload's part Content-Type")
    created_at: IsoTime | None = Field(description="when the content was first stored (UTC)")

    @classmethod
    def of(cls, stored: StoredFile) -> "FileInfo":
        """The body describing `stored`."""
        return cls(
            file_id=stored.file_id,
            size=stored.size,
            sha256=stored.sha256,
            content_type=stored.content_type,
            created_at=stored.created_at,
        )


class UploadForm(BaseModel):
    """`POST /files` as the OpenAPI document shows it: a form with one `file` part.

    Documentation only: the upload streams through `multipart_upload`, which checks it.
    """

    file: bytes = Field(description="the content; its part's Content-Type is stored")


class FilePath(BaseModel):
    """`{file_id}`: checked after the API key, so a bad id with no key is still 401.

    The pattern is documented, not enforced here: the handler checks the id after the key.
    """

    file_id: str = Field(
        description="the SHA-256 of the content, 64 hex characters (any case)",
        json_schema_extra={"pattern": FILE_ID_PATTERN},
    )


class VerifyPath(BaseModel):
    """`{job_id}` of a scrub job."""

    job_id: str


class VerifyAccepted(BaseModel):
    """`POST /admin/verify` (202): the scrub job that was queued."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    job_id: str
    status: str = Field(description="queued")


class VerifyStatus(BaseModel):
    """`GET /admin/verify/{job_id}`: where the scrub is, and its findings once completed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    job_id: str
    status: str = Field(description="queued, processing, completed or failed")
    progress: int = Field(description="percent of the objects checked")
    message: str | None
    created_at: IsoTime
    started_at: IsoTime | None
    finished_at: IsoTime | None
    report: ScrubReport | None = Field(description="the findings, once completed")
    error: str | None = Field(description="why it failed, if it did")
