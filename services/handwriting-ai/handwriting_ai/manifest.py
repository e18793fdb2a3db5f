"""Model manifests, schema v2.0 (the original's `ModelManifestV2`), parsed strictly.

    {"schema_version": "v2.0", "model_type": "resnet18", "model_id": "mnist_resnet18_v1",
     "created_at": "2026-12-03T15:00:00+00:00", "arch": "resnet18", "n_classes": 10,
     "val_acc": 0.98, "preprocess_hash": "v1/grayscale+otsu+...", "file_id": null,
     "file_size": null, "file_sha256": null,
     "training": {"run_id": "20261203-150000-a1b2c3", "epochs": 3, "batch_size": 64,
                  "learning_rate": 0.001, "seed": 0, "device": "cpu", "optimizer": "adamw",
                  "scheduler": "cosine", "augment": true}}

`parse_manifest` raises `ManifestError` for text that is not such an object and for
fields with bad values (the original let those escape as a TypeError, a 500).
`file_id`/`file_size`/`file_sha256` name the data-bank tarball holding the weights once
it has been uploaded.
"""

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from handwriting_ai.preprocess import SIGNATURE

SCHEMA_VERSION = "v2.0"
NonEmpty = Annotated[str, Field(min_length=1)]


class ManifestError(ValueError):
    """The manifest is not valid JSON of schema v2.0, or does not fit this service."""


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="forbid", allow_inf_nan=False)


class TrainingInfo(_Strict):
    """How the weights were trained."""

    run_id: NonEmpty
    epochs: Annotated[int, Field(ge=1)]
    batch_size: Annotated[int, Field(ge=1)]
    learning_rate: Annotated[float, Field(gt=0)]
    seed: int
    device: NonEmpty
    optimizer: NonEmpty
    scheduler: NonEmpty
    augment: bool


class Manifest(_Strict):
    """A model's manifest (schema v2.0)."""

    schema_version: Literal["v2.0"]
    model_type: Literal["resnet18"]
    model_id: NonEmpty
    created_at: Annotated[datetime.datetime, Field(strict=False)]
    arch: Literal["resnet18"]
    n_classes: Annotated[int, Field(ge=2)] = 10
    val_acc: Annotated[float, Field(ge=0.0, le=1.0)]
    preprocess_hash: NonEmpty
    file_id: str | None = None
    file_size: Annotated[int, Field(ge=0)] | None = None
    file_sha256: str | None = None
    training: TrainingInfo

    def to_json(self) -> bytes:
        """The manifest as JSON text (UTF-8)."""
        return self.model_dump_json(indent=2).encode("utf-8")


class _Problem(BaseModel):
    loc: tuple[str | int, ...]
    msg: str


_PROBLEMS = TypeAdapter(list[_Problem])


def parse_manifest(text: bytes | str) -> Manifest:
    """A manifest of schema v2.0, or `ManifestError("Invalid manifest: ...")`."""
    try:
        return Manifest.model_validate_json(text)
    except ValidationError as exc:
        first = _PROBLEMS.validate_json(
            exc.json(include_url=False, include_context=False, include_input=False)
        )[0]
        where = ".".join(str(part) for part in first.loc) or "manifest"
        raise ManifestError(f"Invalid manifest: {where}: {first.msg}") from exc


def check_fits(manifest: Manifest, model_id: str | None = None) -> None:
    """Raise `ManifestError` unless the manifest's preprocessing is this service's and,
    when `model_id` is given, its id is that one."""
    if manifest.preprocess_hash != SIGNATURE:
        raise ManifestError("Preprocess signature mismatch")
    if model_id is not None and manifest.model_id != model_id:
        raise ManifestError("Model id mismatch")
