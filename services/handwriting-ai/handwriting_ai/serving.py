"""The API's model: the slot, the store and the reloader that keeps them in step.

At startup and then every `DIGITS__RELOAD_INTERVAL_SECONDS`, the reloader reads which
model is active (`active.json` in the model directory, else `DIGITS__ACTIVE_MODEL`) and
the version of its files; when either differs from what is served it loads the model in
a thread and swaps it in. A model that fails to load is logged once per version and
never replaces the one being served.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from handwriting_ai.store import LoadedModel, ModelLoadError, ModelSlot, ModelStore
from platform_core.blocking import run_blocking

LOG = logging.getLogger("handwriting_ai.serving")


class Reloader:
    """Loads the active model into the slot when it changes."""

    def __init__(self, store: ModelStore, slot: ModelSlot, default_model: str) -> None:
        self.store = store
        self.slot = slot
        self.default_model = default_model
        self._failed: tuple[str, tuple[int, int]] | None = None

    async def check(self) -> LoadedModel | None:
        """One pass; the model swapped in, if any."""
        try:
            model_id = await run_blocking(self.store.active_id) or self.default_model
            if not model_id:
                return None
            version = await run_blocking(self.store.version, model_id)
        except ModelLoadError as exc:
            LOG.warning("active model unavailable: %s", exc)
            return None
        current = self.slot.current
        wanted = (model_id, version)
        if current is not None and (current.model_id, current.version) == wanted:
            return None
        if self._failed == wanted:
            return None
        try:
            loaded = await run_blocking(self.store.load, model_id)
        except ModelLoadError as exc:
            self._failed = wanted
            LOG.warning("model %s not loaded, still serving the previous one: %s", model_id, exc)
            return None
        self.slot.swap(loaded)
        LOG.info("serving model %s", model_id)
        return loaded

    @asynccontextmanager
    async def running(self, interval_s: float) -> AsyncIterator["Reloader"]:
        """Check now, then every `interval_s` until the block ends."""
        await self.check()

        async def loop() -> None:
            while True:
                await asyncio.sleep(interval_s)
                await self.check()

        task = asyncio.create_task(loop())
        try:
            yield self
        finally:
            task.cancel()
            await asyncio.wait([task])
            if not task.cancelled():
                # The loop ended by itself: only a failure does that.
                raise RuntimeError("the model reloader stopped") from task.exception()
