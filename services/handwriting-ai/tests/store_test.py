"""The model directory and the serving slot."""

import json
import pathlib

import pytest

from handwriting_ai.model import DigitResNet
from handwriting_ai.store import ModelLoadError, ModelSlot, ModelStore
from handwriting_ai_testing import manifest_dict
from platform_ml import module_state, state_dict_bytes


def _install(store: ModelStore, model_id: str = "m1", **changes: object) -> None:
    weights = state_dict_bytes(module_state(DigitResNet()))
    store.install(model_id, json.dumps(manifest_dict(model_id, **changes)).encode(), weights)


def test_install_activate_load(tmp_path: pathlib.Path) -> None:
    store = ModelStore(tmp_path / "models")
    assert store.active_id() is None
    _install(store)
    store.activate("m1")
    assert store.active_id() == "m1"
    loaded = store.load("m1")
    assert loaded.model_id == "m1"
    assert loaded.manifest.val_acc == 0.9
    assert loaded.version == store.version("m1")
    assert not loaded.network.training


def test_load_errors(tmp_path: pathlib.Path) -> None:
    store = ModelStore(tmp_path)
    for bad in ("", "../x", ".hidden"):
        with pytest.raises(ModelLoadError, match="invalid model id"):
            store.model_dir(bad)
    with pytest.raises(ModelLoadError, match="files not found"):
        store.load("absent")
    _install(store, "wrong", preprocess_hash="v0")
    with pytest.raises(ModelLoadError, match="Preprocess signature mismatch"):
        store.load("wrong")
    store.install("junk", json.dumps(manifest_dict("junk")).encode(), b"junk")
    with pytest.raises(ModelLoadError, match="not a readable torch state dict"):
        store.load("junk")
    (tmp_path / "active.json").write_text("[]")
    with pytest.raises(ModelLoadError, match=r"active\.json is not"):
        store.active_id()


def test_slot_swaps(tmp_path: pathlib.Path) -> None:
    store = ModelStore(tmp_path)
    _install(store, "a")
    _install(store, "b")
    first, second = store.load("a"), store.load("b")
    slot = ModelSlot()
    assert slot.swap(first) is None  # nothing was loaded
    held = slot.current  # a request in flight keeps its model
    assert slot.swap(second) is first
    assert held is first
    assert slot.current is second
