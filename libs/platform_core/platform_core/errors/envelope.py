"""`ErrorBody`: the JSON body of every error response, on the wire since the original platform."""

from pydantic import BaseModel, ConfigDict


class ErrorBody(BaseModel):
    """`{"code": "NOT_FOUND", "message": "file not found", "request_id": "..."}`."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="ErrorBody")

    code: str
    message: str
    request_id: str
