"""The storage readiness checks `/readyz` runs after Redis and the live worker.

The reasons are the original's: `storage not writable` (a probe file cannot be created,
written, fsynced and removed in the data root) and `low disk` (free space below the
reserve that uploads must leave).
"""

from data_bank_api.storage import Storage
from data_bank_api.storage_errors import StorageError
from platform_core.health import NotReadyError, ReadinessCheck


def storage_writable(storage: Storage) -> ReadinessCheck:
    """Ready when a probe file can be written and removed in the data root."""

    async def check() -> None:
        try:
            await storage.probe_writable()
        except StorageError as exc:
            raise NotReadyError("storage not writable") from exc

    return check


def free_space_above_reserve(storage: Storage) -> ReadinessCheck:
    """Ready when the free space is at least the reserve."""

    async def check() -> None:
        try:
            free = await storage.free_bytes()
        except StorageError as exc:
            raise NotReadyError("storage not writable") from exc
        if free < storage.engine.reserve_bytes:
            raise NotReadyError("low disk")

    return check
