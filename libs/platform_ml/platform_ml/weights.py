"""State dicts on disk: saved atomically, loaded safely, checked structurally.

`load_state_dict` uses `torch.load(weights_only=True, map_location="cpu")`, so a file
can hold tensors and plain containers but never code to run. The file may be a flat
`{name: tensor}` mapping or `{"state_dict": {...}}` (what training scripts often write);
anything else is a `WeightsError`, as is a file torch cannot read.
"""

import io
import os
import pathlib
import pickle
import struct
import zipfile
from collections.abc import Mapping

import torch

StateDict = dict[str, torch.Tensor]
ShapeSpec = Mapping[str, tuple[int | None, ...]]
"""Expected shapes by parameter name; `None` in a shape matches any size."""


# `torch.Tensor` used as a value has a type mypy sees as containing Any; the annotated
# alias is the one place that value enters.
_TENSOR: type[torch.Tensor] = torch.Tensor


class WeightsError(ValueError):
    """The weights cannot be read, or are not the expected state dict."""


def _pairs(loaded: object) -> list[tuple[object, object]] | None:
    if not isinstance(loaded, dict):
        return None
    pairs: list[tuple[object, object]] = list(loaded.items())
    return pairs


def _as_state_dict(loaded: object) -> StateDict:
    pairs = _pairs(loaded)
    if pairs is not None and len(pairs) == 1 and pairs[0][0] == "state_dict":
        pairs = _pairs(pairs[0][1])
    if not pairs:
        raise WeightsError("expected a non-empty mapping of parameter names to tensors")
    state: StateDict = {}
    for name, value in pairs:
        if not isinstance(name, str) or not isinstance(value, _TENSOR):
            raise WeightsError(f"entry {name!r} is not a named tensor")
        state[name] = value
    return state


def load_state_dict(source: pathlib.Path | bytes) -> StateDict:
    """The state dict in a file or in bytes, on the CPU."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        loaded: object = torch.load(stream, map_location="cpu", weights_only=True)
    # What torch.load raises for bytes that are not a checkpoint, by where it notices.
    except (
        pickle.UnpicklingError,
        zipfile.BadZipFile,
        RuntimeError,
        EOFError,
        struct.error,
        ValueError,
        KeyError,
    ) as exc:
        raise WeightsError(f"not a readable torch state dict: {exc}") from exc
    return _as_state_dict(loaded)


def module_state(module: torch.nn.Module) -> StateDict:
    """A module's parameters and buffers as a typed state dict (detached, on its device)."""
    raw: dict[str, object] = module.state_dict()
    return _as_state_dict(raw)


def state_dict_bytes(state: Mapping[str, torch.Tensor]) -> bytes:
    """The state dict serialised as `torch.save` writes it."""
    buffer = io.BytesIO()
    torch.save(dict(state), buffer)
    return buffer.getvalue()


def save_state_dict(state: Mapping[str, torch.Tensor], path: pathlib.Path) -> int:
    """Write the state dict to `path` atomically (a temporary file renamed over it); its size."""
    data = state_dict_bytes(state)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)
    return len(data)


def check_shapes(state: Mapping[str, torch.Tensor], expected: ShapeSpec) -> None:
    """Raise `WeightsError` naming the first parameter missing or of the wrong shape."""
    for name, shape in expected.items():
        tensor = state.get(name)
        if tensor is None:
            raise WeightsError(f"missing parameter {name}")
        actual = tuple(tensor.shape)
        matches = len(actual) == len(shape) and all(
            want is None or want == got for want, got in zip(shape, actual, strict=True)
        )
        if not matches:
            raise WeightsError(f"{name} has shape {list(actual)}, expected {list(shape)}")
