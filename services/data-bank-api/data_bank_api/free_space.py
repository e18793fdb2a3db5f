"""How much space is free for new files: the injectable probe the storage engine asks."""

import os
from collections.abc import Callable
from pathlib import Path

FreeSpaceProbe = Callable[[Path], int]
"""Bytes available to this (unprivileged) process on the filesystem holding a path."""


def statvfs_free_bytes(path: Path) -> int:
    """`f_bavail * f_frsize` of `statvfs(path)`: the space an unprivileged writer may use."""
    status = os.statvfs(path)
    return status.f_bavail * status.f_frsize
