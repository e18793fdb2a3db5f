"""The size report counts every shared layer once."""

import json
import pathlib

import pytest
from pydantic import JsonValue, TypeAdapter

from platform_image.sizes import main


def _report(path: pathlib.Path, image: str, layers: list[tuple[str, int, bool]]) -> pathlib.Path:
    entries: list[dict[str, object]] = [
        {"name": d, "digest": d, "size": s, "uncompressed_size": 3 * s, "shared": shared}
        for d, s, shared in layers
    ]
    size = sum(s for _, s, _ in layers)
    own = sum(s for _, s, shared in layers if not shared)
    report: dict[str, object] = {
        "image": image,
        "digest": f"sha256:{image}",
        "layers": entries,
        "size": size,
        "own_size": own,
    }
    path.write_text(json.dumps(report))
    return path


def test_shared_layers_are_counted_once(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _report(tmp_path / "a.json", "a", [("base", 100, True), ("a-own", 10, False)])
    b = _report(tmp_path / "b.json", "b", [("base", 100, True), ("b-own", 20, False)])
    assert main([str(a), str(b)]) == 0
    figures = TypeAdapter(dict[str, JsonValue]).validate_json(capsys.readouterr().out)
    assert figures == {
        "images": [
            {
                "image": "a",
                "digest": "sha256:a",
                "size_bytes": 110,
                "uncompressed_bytes": 330,
                "unique_bytes": 10,
            },
            {
                "image": "b",
                "digest": "sha256:b",
                "size_bytes": 120,
                "uncompressed_bytes": 360,
                "unique_bytes": 20,
            },
        ],
        "shared_layers": [
            {"name": "base", "digest": "base", "size_bytes": 100, "used_by": ["a", "b"]}
        ],
        "platform_bytes": 130,
        "sum_of_images_bytes": 230,
    }


def test_reports_are_required(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "give the image reports" in capsys.readouterr().err
