"""`bazel run //services/handwriting-ai:dev_prepare`: demo data for `tools/dev up`.

Writes scikit-learn's bundled digits as MNIST IDX files into `APP__DATA_ROOT/mnist`
unless all four files are already there, so a new user can train at once, and one
held-out digit of each class as `APP__DATA_ROOT/samples/<digit>.png` to read.
"""

import os
import pathlib
import sys
from collections.abc import Mapping
from typing import TextIO

from handwriting_ai.digits_data import write_digits_mnist, write_samples
from handwriting_ai.idx import has_mnist


def main(environ: Mapping[str, str] = os.environ, out: TextIO = sys.stdout) -> int:
    """Prepare the data; the exit status (2: `APP__DATA_ROOT` unset)."""
    root = environ.get("APP__DATA_ROOT", "")
    if not root:
        out.write("dev_prepare: APP__DATA_ROOT is not set\n")
        return 2
    samples = write_samples(pathlib.Path(root) / "samples")
    out.write(f"dev_prepare: wrote {len(samples)} digits to read to {samples[0].parent}\n")
    where = pathlib.Path(root) / "mnist"
    if has_mnist(where):
        out.write(f"dev_prepare: MNIST files already in {where}\n")
        return 0
    train, test = write_digits_mnist(where)
    out.write(f"dev_prepare: wrote the bundled digits to {where} ({train} train, {test} test)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
