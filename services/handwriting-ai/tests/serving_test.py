"""The reloader: what it loads, what it refuses, and that a bad model never replaces a
good one."""

import asyncio
import logging
import pathlib

import pytest

from handwriting_ai.model import DigitResNet
from handwriting_ai.serving import Reloader
from handwriting_ai.store import ModelSlot, ModelStore
from handwriting_ai_testing import manifest_json
from platform_ml import module_state, state_dict_bytes


def _install(store: ModelStore, model_id: str, weights: bytes | None = None) -> None:
    data = weights if weights is not None else state_dict_bytes(module_state(DigitResNet()))
    store.install(model_id, manifest_json(model_id), data)


async def test_default_then_activated_then_a_broken_one(
    tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = ModelStore(tmp_path)
    slot = ModelSlot()
    assert await Reloader(store, slot, "").check() is None  # nothing configured
    reloader = Reloader(store, slot, "seed")
    assert await reloader.check() is None  # the default has no files yet
    _install(store, "seed")
    loaded = await reloader.check()
    assert loaded is not None
    assert slot.current is loaded
    assert await reloader.check() is None  # unchanged
    _install(store, "bad", b"junk")
    store.activate("bad")
    with caplog.at_level(logging.WARNING):
        assert await reloader.check() is None
        assert await reloader.check() is None  # the same broken version is not retried
    assert slot.current is loaded
    assert "still serving the previous one" in caplog.text
    _install(store, "good")
    store.activate("good")
    swapped = await reloader.check()
    assert swapped is not None
    assert swapped.model_id == "good"


async def test_running_checks_periodically_and_stops(tmp_path: pathlib.Path) -> None:
    store = ModelStore(tmp_path)
    slot = ModelSlot()
    async with Reloader(store, slot, "").running(0.01):
        _install(store, "m")
        store.activate("m")
        for _ in range(500):
            if slot.current is not None:
                break
            await asyncio.sleep(0.01)
    assert slot.current is not None
    assert slot.current.model_id == "m"


async def test_a_reloader_that_dies_is_reported(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "models"
    root.mkdir()

    async def break_the_directory() -> None:
        async with Reloader(ModelStore(root), ModelSlot(), "").running(0.01):
            root.rmdir()
            root.write_text("a file where the directory was: reading active.json fails")
            await asyncio.sleep(0.2)

    with pytest.raises(RuntimeError, match="the model reloader stopped"):
        await break_the_directory()
