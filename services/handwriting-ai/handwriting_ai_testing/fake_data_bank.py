"""A small stand-in for data-bank-api's `POST /files` (what the training job calls).

It checks `X-API-Key`, stores the multipart `file` part under its SHA-256 and answers
`{file_id, size, sha256, content_type, created_at}` as data-bank-api does.
"""

import hashlib
from dataclasses import dataclass, field

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from handwriting_ai.forms import read_form


class Stored(BaseModel):
    """data-bank-api's answer to an upload."""

    file_id: str
    size: int
    sha256: str
    content_type: str
    created_at: None = None


@dataclass
class FakeDataBank:
    """The stored files by id; `api_key` is the key it accepts."""

    api_key: str = "bank-key"
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(routes=[Route("/files", self._upload, methods=["POST"])])

    async def _upload(self, request: Request) -> Response:
        if request.headers.get("x-api-key") != self.api_key:
            return Response(b'{"code":"UNAUTHORIZED","message":"Unauthorized"}', 401)
        parts = await read_form(request.headers.get("content-type"), request.stream())
        data = bytes(next(part for part in parts if part.name == "file").data)
        digest = hashlib.sha256(data).hexdigest()
        self.files[digest] = data
        stored = Stored(
            file_id=digest, size=len(data), sha256=digest, content_type="application/gzip"
        )
        return Response(stored.model_dump_json(), media_type="application/json")
