"""Load an image into podman or docker, or push it to a registry, with skopeo.

`bazel run //services/<name>:image_load` and `:image_push` (tools/image/defs.bzl):

    publish load --image LAYOUT --tag localhost/platform/qr-api:latest [--engine podman|docker]
    publish push --image LAYOUT DEST [skopeo copy options...]
        e.g. DEST docker://registry.example.com/platform/qr-api:1.4

`load` picks podman when it is installed, else docker (`--engine` chooses), and copies
the layout into that engine's image store under `--tag` (podman: `containers-storage:`,
the store podman itself uses; docker: `docker-daemon:`). `push` copies the layout to
any skopeo destination. Exit status: skopeo's, or 2 when there is nothing to load into.
"""

import argparse
import pathlib
import shutil
import subprocess
import sys
from collections.abc import Callable

SOURCE_REF = "latest"

Runner = Callable[[list[str]], int]


def run_command(command: list[str]) -> int:
    """Run a command in the foreground; its exit status."""
    return subprocess.run(command, check=False).returncode


def source(layout: pathlib.Path) -> str:
    """The skopeo reference of the layout's image."""
    return f"oci:{layout.resolve()}:{SOURCE_REF}"


def pick_engine(choice: str | None, which: Callable[[str], str | None] = shutil.which) -> str | None:
    """The engine to load into: the chosen one, else podman, else docker, else None."""
    if choice is not None:
        return choice
    for engine in ("podman", "docker"):
        if which(engine) is not None:
            return engine
    return None


def load_command(layout: pathlib.Path, tag: str, engine: str, storage: str = "") -> list[str]:
    """skopeo copy into the engine's store (`storage`: a containers-storage spec for podman)."""
    if engine == "podman":
        destination = f"containers-storage:{storage}{tag}"
    else:
        destination = f"docker-daemon:{tag}"
    # Docker's manifest format: podman honours an image's HEALTHCHECK only in it, and
    # docker loads nothing else. The config blob (with the HEALTHCHECK) stays the same.
    return ["skopeo", "copy", "--quiet", "--format", "v2s2", source(layout), destination]


def push_command(layout: pathlib.Path, destination: str, options: list[str]) -> list[str]:
    """skopeo copy to a registry (or any skopeo destination)."""
    return ["skopeo", "copy", *options, source(layout), destination]


class Args(argparse.Namespace):
    """The command line, typed."""

    verb: str
    image: pathlib.Path
    tag: str
    engine: str | None
    storage: str
    destination: str | None
    options: list[str]


def main(
    argv: list[str],
    run: Runner = run_command,
    which: Callable[[str], str | None] = shutil.which,
) -> int:
    """Load or push; `run` and `which` are passed in by tests."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("verb", choices=["load", "push"])
    parser.add_argument("--image", type=pathlib.Path, required=True, help="the OCI layout")
    parser.add_argument("--tag", required=True, help="the name to load it as")
    parser.add_argument("--engine", choices=["podman", "docker"])
    parser.add_argument(
        "--storage", default="", help="podman store, e.g. [overlay@/root+/runroot] (tests)"
    )
    parser.add_argument("destination", nargs="?", help="push: where to (docker://..., dir:...)")
    parser.add_argument("options", nargs=argparse.REMAINDER, help="push: skopeo copy options")
    ns = parser.parse_args(argv, namespace=Args())
    if ns.verb == "push":
        if ns.destination is None:
            parser.error("push needs a destination, e.g. docker://registry.example.com/x:1")
        status = run(push_command(ns.image, ns.destination, ns.options))
        if status == 0:
            sys.stdout.write(f"pushed {ns.image} to {ns.destination}\n")
        return status
    engine = pick_engine(ns.engine, which)
    if engine is None:
        sys.stderr.write(f"publish: neither podman nor docker is installed; the image is {ns.image}\n")
        return 2
    status = run(load_command(ns.image, ns.tag, engine, ns.storage))
    if status == 0:
        sys.stdout.write(f"loaded {ns.tag} into {engine}\n")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
