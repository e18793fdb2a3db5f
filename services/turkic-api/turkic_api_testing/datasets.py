"""Local dataset folders in the layout `datasets` streams from: `{root}/{lang}/*.jsonl`."""

import json
from collections.abc import Iterable
from pathlib import Path


def write_dataset(root: Path, language: str, texts: Iterable[str]) -> Path:
    """`{root}/{language}/part-00000.jsonl` with one `{"text": ...}` row per text; `root`."""
    folder = root / language
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(f'{{"text": {json.dumps(text)}, "id": {i}}}\n' for i, text in enumerate(texts))
    (folder / "part-00000.jsonl").write_text(rows, encoding="utf-8")
    return root
