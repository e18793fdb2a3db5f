"""Valid v2.0 manifests for the tests."""

import json

from handwriting_ai.preprocess import SIGNATURE


def manifest_dict(model_id: str = "m1", **changes: object) -> dict[str, object]:
    """A valid manifest as a dict, with `changes` applied."""
    base: dict[str, object] = {
        "schema_version": "v2.0",
        "model_type": "resnet18",
        "model_id": model_id,
        "created_at": "2026-12-03T15:00:00+00:00",
        "arch": "resnet18",
        "n_classes": 10,
        "val_acc": 0.9,
        "preprocess_hash": SIGNATURE,
        "training": {
            "run_id": "20261203-150000-abcdef",
            "epochs": 1,
            "batch_size": 8,
            "learning_rate": 0.001,
            "seed": 0,
            "device": "cpu",
            "optimizer": "adamw",
            "scheduler": "cosine",
            "augment": False,
        },
    }
    base.update(changes)
    return base


def manifest_json(model_id: str = "m1", **changes: object) -> bytes:
    """`manifest_dict` as JSON bytes."""
    return json.dumps(manifest_dict(model_id, **changes)).encode()
