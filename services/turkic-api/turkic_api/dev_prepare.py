"""`tools/dev up`'s demo data for turkic-api: `bazel run //services/turkic-api:dev_prepare`.

Writes a small local dataset (the sentences of `demo_sentences`, one JSON row each) at
`TURKIC_OSCAR_DATASET/{language}/part-00000.jsonl` and the same under
`TURKIC_CULTURAX_DATASET` when that is another folder, and creates `TURKIC_DATA_DIR`,
so that a new user can run an `oscar` or `culturax` job at once, offline. Idempotent:
running it again rewrites the same files. Exit status 2 when the environment does not
name local folders.
"""

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from turkic_api.demo_sentences import SENTENCES

EXIT_OK = 0
EXIT_BAD_CONFIG = 2
DATASET_VARS = ("TURKIC_OSCAR_DATASET", "TURKIC_CULTURAX_DATASET")


def write_demo_dataset(root: Path) -> list[Path]:
    """`{root}/{language}/part-00000.jsonl` for every language; the files written."""
    written = []
    for language, sentences in SENTENCES.items():
        folder = root / language
        folder.mkdir(parents=True, exist_ok=True)
        rows = "".join(
            f'{{"text": {json.dumps(text, ensure_ascii=False)}}}\n' for text in sentences
        )
        path = folder / "part-00000.jsonl"
        path.write_text(rows, encoding="utf-8")
        written.append(path)
    return written


def main(environ: Mapping[str, str] = os.environ, out: TextIO = sys.stdout) -> int:
    """Prepare the demo data; the exit status."""
    missing = [name for name in (*DATASET_VARS, "TURKIC_DATA_DIR") if not environ.get(name)]
    if missing:
        out.write(f"turkic dev_prepare: set {', '.join(missing)} (services/turkic-api/dev.env)\n")
        return EXIT_BAD_CONFIG
    Path(environ["TURKIC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    for root in sorted({Path(environ[name]) for name in DATASET_VARS}):
        files = write_demo_dataset(root)
        out.write(f"turkic dev_prepare: {len(files)} demo languages in {root}\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
