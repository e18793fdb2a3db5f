"""Manifest v2 parsing and fit checks."""

import json

import pytest

from handwriting_ai.manifest import Manifest, ManifestError, check_fits, parse_manifest
from handwriting_ai_testing import manifest_dict


def test_round_trip() -> None:
    manifest = parse_manifest(json.dumps(manifest_dict()))
    assert manifest.model_id == "m1"
    assert manifest.file_id is None
    assert parse_manifest(manifest.to_json()) == manifest
    check_fits(manifest, "m1")
    check_fits(manifest)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("not json", "Invalid manifest: manifest: Invalid JSON"),
        (json.dumps(manifest_dict(val_acc=2.0)), "Invalid manifest: val_acc: Input should be less"),
        (json.dumps(manifest_dict(schema_version="v1")), "schema_version"),
        (json.dumps(manifest_dict(n_classes=True)), "n_classes"),
        (json.dumps(manifest_dict(extra=1)), "extra"),
    ],
)
def test_invalid(text: str, error: str) -> None:
    with pytest.raises(ManifestError, match=error):
        parse_manifest(text)


def test_fit() -> None:
    wrong_hash = Manifest.model_validate_json(json.dumps(manifest_dict(preprocess_hash="v0")))
    with pytest.raises(ManifestError, match="Preprocess signature mismatch"):
        check_fits(wrong_hash)
    with pytest.raises(ManifestError, match="Model id mismatch"):
        check_fits(parse_manifest(json.dumps(manifest_dict())), "other")
