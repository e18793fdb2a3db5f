"""Where things live under the data root.

```
<root>/<id[0:2]>/<id[2:4]>/<id>.bin     the content (a stored object's "blob")
<root>/<id[0:2]>/<id[2:4]>/<id>.meta    its metadata sidecar (`metadata`)
<root>/tmp/upload-<token>               an upload being received
<root>/tmp/<id>.<token>.blob            a received blob about to be renamed into place,
                                        or a deleted blob about to be removed
<root>/tmp/<id>.<token>.meta            a sidecar about to be renamed into place
```

The object and sidecar paths are the original service's, so its volumes are read as
they are. Everything in `tmp/` is transient: it is on the same filesystem as the
objects (so renames are atomic) and is emptied at every start.
"""

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

TMP_DIR = "tmp"
BLOB_SUFFIX = ".bin"
META_SUFFIX = ".meta"
_PENDING_BLOB = re.compile(r"([0-9a-f]{64})\.[0-9a-f]+\.blob")
_SHARD = re.compile(r"[0-9a-f]{2}")


def _token() -> str:
    return secrets.token_hex(8)


def is_shard_name(name: str) -> bool:
    """Whether a directory name is one level of the object fan-out (two hex digits)."""
    return _SHARD.fullmatch(name) is not None


def pending_blob_id(name: str) -> str | None:
    """The file id in a `tmp/<id>.<token>.blob` name, or None for other names."""
    found = _PENDING_BLOB.fullmatch(name)
    return None if found is None else found.group(1)


@dataclass(frozen=True, slots=True)
class Layout:
    """The paths of one data root."""

    root: Path

    @property
    def tmp(self) -> Path:
        """The directory of transient files."""
        return self.root / TMP_DIR

    def shard(self, file_id: str) -> Path:
        """The directory holding an object: `<root>/ab/cd`."""
        return self.root / file_id[0:2] / file_id[2:4]

    def blob(self, file_id: str) -> Path:
        """The object's content."""
        return self.shard(file_id) / f"{file_id}{BLOB_SUFFIX}"

    def meta(self, file_id: str) -> Path:
        """The object's metadata sidecar."""
        return self.shard(file_id) / f"{file_id}{META_SUFFIX}"

    def upload_temp(self) -> Path:
        """A fresh name for an upload being received."""
        return self.tmp / f"upload-{_token()}"

    def pending_blob(self, file_id: str) -> Path:
        """A fresh name for a blob on its way in or out."""
        return self.tmp / f"{file_id}.{_token()}.blob"

    def pending_meta(self, file_id: str) -> Path:
        """A fresh name for a sidecar on its way in."""
        return self.tmp / f"{file_id}.{_token()}.meta"

    def probe(self) -> Path:
        """A fresh name for the readiness write probe."""
        return self.tmp / f"probe-{_token()}"
