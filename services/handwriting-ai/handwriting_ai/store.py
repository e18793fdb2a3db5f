"""Models on disk, and the slot that serves the active one (hot swap without a restart).

Layout under the model directory: `{model_id}/model.pt` (a state dict) and
`{model_id}/manifest.json` per model, and `active.json` (`{"model_id": ...}`) naming the
active one. Every file is written to a temporary name and renamed, so a reader never
sees half a file. The API and the worker share the directory: the worker activates a
trained model by writing it there and pointing `active.json` at it; the API notices.

`ModelSlot` holds the loaded active model. A request takes the model once, at its start,
and keeps it to the end, so a swap lets requests in flight finish on the old model while
later ones get the new one. A model is loaded and checked completely before it replaces
the current one; one that fails to load never does.
"""

import os
import pathlib
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from handwriting_ai.manifest import Manifest, ManifestError, check_fits, parse_manifest
from handwriting_ai.model import DigitResNet, build_model
from platform_ml import WeightsError, load_state_dict

ACTIVE_FILE = "active.json"
MODEL_FILE = "model.pt"
MANIFEST_FILE = "manifest.json"


class _Active(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True)

    model_id: Annotated[str, Field(min_length=1)]


_ACTIVE = TypeAdapter(_Active)


class ModelLoadError(RuntimeError):
    """A model could not be loaded (missing files, bad manifest or bad weights)."""


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A model ready to serve. `version` identifies the files it was loaded from."""

    model_id: str
    manifest: Manifest
    network: DigitResNet
    version: tuple[int, int]


def write_atomic(path: pathlib.Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file renamed over it."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)


class ModelStore:
    """The model directory."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root

    def model_dir(self, model_id: str) -> pathlib.Path:
        """Where a model's files are."""
        if not model_id or "/" in model_id or model_id.startswith("."):
            raise ModelLoadError(f"invalid model id {model_id!r}")
        return self.root / model_id

    def install(self, model_id: str, manifest: bytes, weights: bytes) -> pathlib.Path:
        """Write a model's manifest and weights (replacing an older copy)."""
        where = self.model_dir(model_id)
        where.mkdir(parents=True, exist_ok=True)
        write_atomic(where / MODEL_FILE, weights)
        write_atomic(where / MANIFEST_FILE, manifest)
        return where

    def activate(self, model_id: str) -> None:
        """Make `model_id` the active model (for every process sharing the directory)."""
        self.root.mkdir(parents=True, exist_ok=True)
        write_atomic(self.root / ACTIVE_FILE, _Active(model_id=model_id).model_dump_json().encode())

    def active_id(self) -> str | None:
        """The active model's id (None: none chosen)."""
        path = self.root / ACTIVE_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            model_id = _ACTIVE.validate_json(text).model_id
        except ValueError as exc:
            raise ModelLoadError(f'{ACTIVE_FILE} is not {{"model_id": <id>}}') from exc
        return model_id

    def version(self, model_id: str) -> tuple[int, int]:
        """The files' modification times (ns): a changed version means new files."""
        where = self.model_dir(model_id)
        try:
            return (
                (where / MANIFEST_FILE).stat().st_mtime_ns,
                (where / MODEL_FILE).stat().st_mtime_ns,
            )
        except FileNotFoundError as exc:
            raise ModelLoadError(f"model {model_id}: files not found in {where}") from exc

    def load(self, model_id: str) -> LoadedModel:
        """Load and check a model (blocking: call it in a thread)."""
        version = self.version(model_id)
        where = self.model_dir(model_id)
        try:
            manifest = parse_manifest((where / MANIFEST_FILE).read_bytes())
            check_fits(manifest, model_id)
            network = build_model(load_state_dict(where / MODEL_FILE), manifest.n_classes)
        except (ManifestError, WeightsError, OSError) as exc:
            raise ModelLoadError(f"model {model_id}: {exc}") from exc
        return LoadedModel(model_id, manifest, network, version)


class ModelSlot:
    """The model serving requests now (None: none loaded)."""

    def __init__(self) -> None:
        self._current: LoadedModel | None = None

    @property
    def current(self) -> LoadedModel | None:
        """The model to use for a request that starts now."""
        return self._current

    def swap(self, model: LoadedModel) -> LoadedModel | None:
        """Serve `model` from now on; the one it replaces."""
        previous, self._current = self._current, model
        return previous
