"""The metadata sidecar: the original's `key=value` lines, kept so old volumes still read.

```
sha256=<64 lowercase hex>
content_type=<the upload's part Content-Type>
created_at=<ISO-8601 UTC with microseconds>
```

`sha256` and `content_type` are required; `created_at` may be absent (the original
wrote it, but treated it as optional); unknown lines are ignored. `parse_meta` says which
rule a sidecar breaks.
"""

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict

MAX_META_BYTES = 4096
MAX_CONTENT_TYPE_LENGTH = 255
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_CONTENT_TYPE = re.compile(rf"{_TOKEN}/{_TOKEN}(?:[ \t]*;[\x20-\x7e]*)?")


class ObjectMeta(BaseModel):
    """What a sidecar records about an object."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str
    content_type: str
    created_at: datetime | None


def is_content_type(value: str) -> bool:
    """A media type we store and send back verbatim: `type/subtype[; params]`, printable ASCII."""
    return len(value) <= MAX_CONTENT_TYPE_LENGTH and _CONTENT_TYPE.fullmatch(value) is not None


def encode_meta(meta: ObjectMeta) -> bytes:
    """The sidecar text of `meta`."""
    lines = [f"sha256={meta.sha256}", f"content_type={meta.content_type}"]
    if meta.created_at is not None:
        lines.append(f"created_at={meta.created_at.isoformat()}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def parse_meta(raw: bytes) -> ObjectMeta | str:
    """Parse a sidecar: the metadata, or what is wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, equals, value = line.partition("=")
        if equals:
            fields[key.strip()] = value.strip()
    sha256 = fields.get("sha256", "")
    if _SHA256.fullmatch(sha256) is None:
        return "sha256 missing or invalid"
    content_type = fields.get("content_type", "")
    if not content_type:
        return "content_type missing"
    created_text = fields.get("created_at")
    created_at: datetime | None = None
    if created_text:
        try:
            created_at = datetime.fromisoformat(created_text)
        except ValueError:
            return "created_at is not an ISO-8601 time"
        if created_at.tzinfo is None:
            return "created_at has no time zone"
    return ObjectMeta(sha256=sha256, content_type=content_type, created_at=created_at)
