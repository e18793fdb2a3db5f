"""The typecheck gate: mypy strict (see mypy.ini) over a target's sources and tests.

First-party import roots (the main repository's entries on the PYTHONPATH that
Bazel's stub sets) go on MYPYPATH, so modules of dependencies resolve as source;
third-party distributions resolve as installed packages through sys.path.
Dependencies are followed silently: each target answers only for its own files.
"""

import argparse
import os
import pathlib
import sys

from mypy import api

HERE = pathlib.Path(__file__).resolve().parent


def first_party_roots(pythonpath: str, workspace_root: pathlib.Path) -> list[str]:
    """The PYTHONPATH entries that lie in the main repository's runfiles."""
    roots: list[str] = []
    for entry in pythonpath.split(os.pathsep):
        if not entry:
            continue
        path = pathlib.Path(entry).absolute()
        if path == workspace_root or workspace_root in path.parents:
            roots.append(str(path))
    return roots


class Args(argparse.Namespace):
    """The command line, typed."""

    file: list[str]
    config: str
    tmp: str


def main(argv: list[str]) -> int:
    """Typecheck the given files; the exit status is mypy's."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", action="append", default=list[str](), help="a file to check")
    parser.add_argument("--config", default=str(HERE / "mypy.ini"))
    parser.add_argument("--tmp", default=os.environ.get("TEST_TMPDIR", "/tmp"))
    ns = parser.parse_args(argv, namespace=Args())
    files = ns.file
    if not files:
        sys.stderr.write("mypy_runner: nothing to check\n")
        return 2
    roots = first_party_roots(os.environ.get("PYTHONPATH", ""), pathlib.Path.cwd())
    os.environ["MYPYPATH"] = os.pathsep.join(roots)
    stdout, stderr, status = api.run(
        [
            "--config-file",
            ns.config,
            "--cache-dir",
            str(pathlib.Path(ns.tmp) / "mypy_cache"),
            *files,
        ]
    )
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
