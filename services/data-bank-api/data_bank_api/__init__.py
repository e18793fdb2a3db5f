"""data-bank-api: a content-addressed file store that streams, verifies, never leaves partial files.

Files are stored under their SHA-256 (`file_id`), uploaded as `multipart/form-data` and
downloaded whole or by single byte ranges. The storage engine (`storage`) writes through
a temporary file with fsync and atomic renames; the HTTP layer (`api`) checks scoped API
keys before reading a byte of the body; the worker (`worker`) runs the integrity scrub.
"""
