"""Load an image into podman or docker, or push it to a registry, with skopeo.

`bazel run //services/<name>:image_load` and `:image_push` (tools/image/defs.bzl):

    publish load LAYOUT=TAG [LAYOUT=TAG ...] [--engine podman|docker]
        e.g. services/qr-api/image=localhost/platform/qr-api:latest
    publish push LAYOUT DEST [skopeo copy options...]
        e.g. DEST docker://registry.example.com/platform/qr-api:1.4

`load` picks podman when it is installed, else docker (`--engine` chooses), and copies
each layout into that engine's image store as TAG (podman: `containers-storage:`, the
store podman itself uses; docker: `docker-daemon:`), in Docker's manifest format:
podman honours an image's HEALTHCHECK only in it, docker loads nothing else (the
config blob, HEALTHCHECK included, is the same). `push` copies the OCI image as built
(the digest `bazel build` printed) to any skopeo destination; add `--format v2s2` for
registries whose users run it with docker. Exit status: skopeo's (the first failure),
or 2 when there is nothing to load into.
"""

import argparse
import pathlib
import shutil
import subprocess
import sys
from collections.abc import Callable

SOURCE_REF = "latest"
ENGINES = ("podman", "docker")

Runner = Callable[[list[str]], int]


def run_command(command: list[str]) -> int:
    """Run a command in the foreground; its exit status."""
    return subprocess.run(command, check=False).returncode


def source(layout: pathlib.Path) -> str:
    """The skopeo reference of the layout's image."""
    return f"oci:{layout.resolve()}:{SOURCE_REF}"


def pick_engine(
    choice: str | None, which: Callable[[str], str | None] = shutil.which
) -> str | None:
    """The engine to load into: the chosen one, else podman, else docker, else None."""
    if choice is not None:
        return choice
    for engine in ENGINES:
        if which(engine) is not None:
            return engine
    return None


def load_command(layout: pathlib.Path, tag: str, engine: str, storage: str = "") -> list[str]:
    """skopeo copy into the engine's store (`storage`: a containers-storage spec for podman)."""
    if engine == "podman":
        destination = f"containers-storage:{storage}{tag}"
    else:
        destination = f"docker-daemon:{tag}"
    return ["skopeo", "copy", "--quiet", "--format", "v2s2", source(layout), destination]


def push_command(layout: pathlib.Path, destination: str, options: list[str]) -> list[str]:
    """skopeo copy to a registry (or any skopeo destination)."""
    return ["skopeo", "copy", *options, source(layout), destination]


def parse_pair(value: str) -> tuple[pathlib.Path, str]:
    """A LAYOUT=TAG argument (ValueError without `=`)."""
    layout, sep, tag = value.partition("=")
    if not sep or not layout or not tag:
        raise ValueError(f"{value!r}: expected LAYOUT=TAG")
    return pathlib.Path(layout), tag


def load(pairs: list[str], engine: str | None, storage: str, run: Runner) -> int:
    """Load each LAYOUT=TAG; the first failing status, else 0."""
    if engine is None:
        sys.stderr.write("publish: neither podman nor docker is installed; nothing to load into\n")
        return 2
    for layout, tag in (parse_pair(pair) for pair in pairs):
        status = run(load_command(layout, tag, engine, storage))
        if status != 0:
            return status
        sys.stdout.write(f"loaded {tag} into {engine}\n")
    return 0


class Args(argparse.Namespace):
    """The command line, typed."""

    verb: str
    pairs: list[str]
    engine: str | None
    storage: str
    layout: pathlib.Path
    destination: str
    options: list[str]


def main(
    argv: list[str],
    run: Runner = run_command,
    which: Callable[[str], str | None] = shutil.which,
) -> int:
    """Load or push; `run` and `which` are passed in by tests."""
    parser = argparse.ArgumentParser(description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)
    loading = verbs.add_parser("load", help="into podman or docker")
    loading.add_argument("pairs", nargs="+", metavar="LAYOUT=TAG")
    loading.add_argument("--engine", choices=ENGINES)
    loading.add_argument("--storage", default="", help="podman store, [overlay@ROOT+RUNROOT]")
    pushing = verbs.add_parser("push", help="to a registry (any skopeo destination)")
    pushing.add_argument("layout", type=pathlib.Path)
    pushing.add_argument("destination", help="e.g. docker://registry.example.com/x:1")
    pushing.add_argument("options", nargs=argparse.REMAINDER, help="skopeo copy options")
    ns = parser.parse_args(argv, namespace=Args())
    if ns.verb == "push":
        status = run(push_command(ns.layout, ns.destination, ns.options))
        if status == 0:
            sys.stdout.write(f"pushed {ns.layout} to {ns.destination}\n")
        return status
    try:
        return load(ns.pairs, pick_engine(ns.engine, which), ns.storage, run)
    except ValueError as exc:
        parser.error(str(exc))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
