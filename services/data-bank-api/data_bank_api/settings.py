"""The service's settings, read from the environment once at startup.

| variable | default | meaning |
|---|---|---|
| `REDIS_URL` | required | Redis for the scrub queue, its events and readiness |
| `API_UPLOAD_KEYS` | required | comma-separated keys for `POST /files` (at least one) |
| `API_READ_KEYS` | the upload keys | keys for GET/HEAD `/files/{id}` and `/files/{id}/info` |
| `API_DELETE_KEYS` | the upload keys | keys for `DELETE /files/{id}` and `/admin/verify` |
| `DATA_ROOT` | `/data/files` | where objects are stored |
| `MAX_FILE_BYTES` | `0` | largest file accepted, in bytes; 0 means no limit |
| `MIN_FREE_GB` | `1` | free space (GiB) kept in reserve: uploads that would use it get 507 |
| `DELETE_STRICT_404` | `false` | answer 404 instead of 204 when deleting a missing file |
| `PORT` | `8001` | plus `HOST`, `LOG_LEVEL`, ... from `ServiceSettings` |
"""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from platform_core.config import CommaList, LogLevel, Port, RedisSettings, ServiceSettings

GIB = 1024**3
KeyList = Annotated[CommaList, Field(min_length=1)]


class StoreSettings(BaseModel):
    """Where objects live (shared by the server and the worker)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_root: Path = Field(default=Path("/data/files"), description="directory of the objects")


class DataBankSettings(ServiceSettings, RedisSettings, StoreSettings):
    """Everything the server reads from the environment."""

    port: Port = Field(default=8001, description="TCP port (0-65535)")
    api_upload_keys: KeyList = Field(description="comma-separated upload keys (at least one)")
    api_read_keys: KeyList | None = Field(
        default=None, description="comma-separated read keys (default: the upload keys)"
    )
    api_delete_keys: KeyList | None = Field(
        default=None, description="comma-separated delete keys (default: the upload keys)"
    )
    max_file_bytes: int = Field(default=0, ge=0, description="bytes; 0 means no limit")
    min_free_gb: float = Field(default=1.0, ge=0, description="GiB of free space kept in reserve")
    delete_strict_404: bool = Field(default=False, description="true or false")

    @property
    def reserve_bytes(self) -> int:
        """`MIN_FREE_GB` in bytes."""
        return int(self.min_free_gb * GIB)

    @property
    def file_limit(self) -> int | None:
        """The largest file accepted, or None without a limit."""
        return self.max_file_bytes or None


class DataBankWorkerSettings(RedisSettings, StoreSettings):
    """What the worker reads: `REDIS_URL`, `DATA_ROOT`, `LOG_LEVEL`, `LOG_FORMAT`, `INSTANCE_ID`."""

    log_level: LogLevel = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR")
    log_format: Literal["json", "text"] = Field(default="json", description="json or text")
    instance_id: str | None = Field(default=None, description="name of this worker in logs")
