"""Safe loading, atomic saving and shape checks of state dicts."""

import io
import pathlib

import pytest
import torch

from platform_ml import (
    WeightsError,
    check_shapes,
    load_state_dict,
    module_state,
    save_state_dict,
    state_dict_bytes,
)


def _state() -> dict[str, torch.Tensor]:
    return {"fc.weight": torch.ones(10, 4), "fc.bias": torch.zeros(10)}


def _saved(value: object) -> bytes:
    raw = io.BytesIO()
    torch.save(value, raw)
    return raw.getvalue()


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("code ran",))


def test_round_trip_through_a_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "model.pt"
    size = save_state_dict(_state(), path)
    assert size == path.stat().st_size
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]
    loaded = load_state_dict(path)
    assert set(loaded) == {"fc.weight", "fc.bias"}
    assert torch.equal(loaded["fc.weight"], torch.ones(10, 4))
    assert load_state_dict(state_dict_bytes(_state())).keys() == loaded.keys()


def test_a_state_dict_under_state_dict_is_unwrapped() -> None:
    assert set(load_state_dict(_saved({"state_dict": _state()}))) == {"fc.weight", "fc.bias"}
    with pytest.raises(WeightsError, match="non-empty mapping"):
        load_state_dict(_saved({"state_dict": torch.ones(1)}))


def test_code_in_a_pickle_is_refused() -> None:
    with pytest.raises(WeightsError, match="not a readable torch state dict"):
        load_state_dict(_saved({"x": _Boom()}))


_PLAIN_PICKLE = b"\x80\x02]q\x00(K\x01K\x02e."  # pickle.dumps([1, 2], protocol=2)


@pytest.mark.parametrize("data", [b"", b"garbage", b"junk", _PLAIN_PICKLE])
def test_unreadable_bytes(data: bytes) -> None:
    with pytest.raises(WeightsError, match="not a readable torch state dict"):
        load_state_dict(data)


def test_entries_must_be_named_tensors() -> None:
    with pytest.raises(WeightsError, match="entry 'a' is not a named tensor"):
        load_state_dict(_saved({"a": [1, 2]}))
    with pytest.raises(WeightsError, match="entry 1 is not a named tensor"):
        load_state_dict(_saved({1: torch.ones(1)}))
    with pytest.raises(WeightsError, match="non-empty mapping"):
        load_state_dict(_saved({}))
    with pytest.raises(WeightsError, match="non-empty mapping"):
        load_state_dict(_saved([torch.ones(1)]))


def test_check_shapes() -> None:
    state = _state()
    check_shapes(state, {"fc.weight": (10, None), "fc.bias": (10,)})
    with pytest.raises(WeightsError, match=r"missing parameter conv1\.weight"):
        check_shapes(state, {"conv1.weight": (64, 1, None, None)})
    with pytest.raises(WeightsError, match=r"fc\.weight has shape \[10, 4\], expected \[10, 512\]"):
        check_shapes(state, {"fc.weight": (10, 512)})
    with pytest.raises(WeightsError, match=r"fc\.bias has shape"):
        check_shapes(state, {"fc.bias": (10, 1)})


def test_module_state_is_typed_and_loadable() -> None:
    layer = torch.nn.Linear(4, 2)
    state = module_state(layer)
    assert set(state) == {"weight", "bias"}
    fresh = torch.nn.Linear(4, 2)
    fresh.load_state_dict(load_state_dict(state_dict_bytes(state)))
    assert torch.equal(fresh.weight, layer.weight)
