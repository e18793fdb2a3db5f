"""The static image checks behind every `:image_reproducible_test` (tools/image/defs.bzl).

    inspect_image --image A --rebuild B --user 10001:10001 --binary server --volume /data

- Reproducible: A and B were built by separate actions (B from its entries in reverse
  order); their manifest digests must be equal. When they are not, the layers that
  differ are named.
- Config: runs as the given non-root user, under tini, with a health check, stops on
  SIGTERM, and its command is one of its binaries (when it has any).
- Contents: each /app/bin/<binary> is a link to a file in the image; each volume is a
  directory owned by the user; nothing of a build or test toolchain is inside
  (compilers, Bazel, pip, first-party tests, test-only Python packages).
"""

import argparse
import pathlib
import re
import sys
import tarfile

from pydantic import ValidationError

from platform_image.oci_layout import LayoutError, OciImage

ENTRYPOINT = ["/usr/bin/tini", "--"]
ROOT_USERS = {"", "0", "root", "0:0", "root:root"}
FORBIDDEN = re.compile(
    r"^(usr/bin/(.*-)?(gcc|g\+\+|cc|c\+\+|cpp|clang|ld|as|make)(-[0-9.]+)?"
    r"|usr/lib/gcc/.*"
    r"|usr/bin/bazel.*"
    r"|usr/bin/pip3?"
    r"|usr/lib/python3/dist-packages/pip/.*"
    r"|app/platform\.runfiles/platform/.*/tests"
    r"|app/platform\.runfiles/pypi/(pytest|pytest_asyncio|pytest_cov|coverage|mypy|ruff))$"
)


def reproducibility_problems(image: OciImage, rebuild: OciImage) -> list[str]:
    """Why the two builds differ (empty when their digests are equal)."""
    if image.digest == rebuild.digest:
        return []
    pairs = zip(image.manifest.layers, rebuild.manifest.layers, strict=False)
    layers = [
        f"layer {position} differs: {a.digest} != {b.digest}"
        for position, (a, b) in enumerate(pairs)
        if a.digest != b.digest
    ]
    configs = image.manifest.config.digest != rebuild.manifest.config.digest
    return [
        f"digest {image.digest} of {image.layout} != {rebuild.digest} of {rebuild.layout}",
        *layers,
        *(["the configs differ"] if configs else []),
    ]


def config_problems(image: OciImage, user: str, binaries: list[str]) -> list[str]:
    """What the config gets wrong."""
    config = image.config.config
    problems: list[str] = []
    if config.user in ROOT_USERS:
        problems.append(f"runs as root (User {config.user!r})")
    elif config.user != user:
        problems.append(f"User is {config.user!r}, expected {user!r}")
    if config.entrypoint != ENTRYPOINT:
        problems.append(
            f"Entrypoint is {config.entrypoint}, expected {ENTRYPOINT} (signals, zombies)"
        )
    if config.healthcheck is None or not config.healthcheck.test:
        problems.append("no Healthcheck")
    if config.stop_signal != "SIGTERM":
        problems.append(f"StopSignal is {config.stop_signal!r}, expected SIGTERM")
    commands = {f"/app/bin/{name}" for name in binaries}
    if binaries and (not config.cmd or config.cmd[0] not in commands):
        problems.append(f"Cmd {config.cmd} is none of {sorted(commands)}")
    return problems


def content_problems(
    image: OciImage, user: str, binaries: list[str], volumes: list[str]
) -> list[str]:
    """What the layers hold that they should not, or lack."""
    entries: dict[str, tarfile.TarInfo] = {}
    problems: list[str] = []
    for position, member in image.members():
        name = member.name.removeprefix("./").rstrip("/")
        entries[name] = member
        if FORBIDDEN.match(name):
            problems.append(f"layer {position} holds {name}")
    for binary in binaries:
        link = entries.get(f"app/bin/{binary}")
        if link is None or not link.issym():
            problems.append(f"/app/bin/{binary} is not a symbolic link")
        elif not _is_file(entries, link.linkname.lstrip("/")):
            problems.append(f"/app/bin/{binary} points at {link.linkname}, which is no file")
    uid, _, gid = user.partition(":")
    for volume in volumes:
        entry = entries.get(volume.strip("/"))
        if entry is None or not entry.isdir():
            problems.append(f"volume {volume} is not a directory in the image")
        elif (str(entry.uid), str(entry.gid)) != (uid, gid or uid):
            problems.append(f"volume {volume} is owned by {entry.uid}:{entry.gid}, not {user}")
    return problems


def _is_file(entries: dict[str, tarfile.TarInfo], name: str) -> bool:
    entry = entries.get(name)
    return entry is not None and entry.isreg()


class Args(argparse.Namespace):
    """The command line, typed."""

    image: pathlib.Path
    rebuild: pathlib.Path
    user: str
    binary: list[str]
    volume: list[str]


def main(argv: list[str]) -> int:
    """Run every check; 0 when all pass, 1 with the problems listed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", type=pathlib.Path, required=True)
    parser.add_argument("--rebuild", type=pathlib.Path, required=True)
    parser.add_argument("--user", default="10001:10001")
    parser.add_argument("--binary", action="append", default=list[str]())
    parser.add_argument("--volume", action="append", default=list[str]())
    ns = parser.parse_args(argv, namespace=Args())
    try:
        image = OciImage(ns.image)
        rebuild = OciImage(ns.rebuild)
    except (LayoutError, ValidationError, OSError) as exc:
        sys.stdout.write(f"FAIL cannot read the image: {exc}\n")
        return 1
    problems = [
        *reproducibility_problems(image, rebuild),
        *config_problems(image, ns.user, ns.binary),
        *content_problems(image, ns.user, ns.binary, ns.volume),
    ]
    ok = f"ok {ns.image}: {image.digest}, the same as its rebuild; config, contents\n"
    sys.stdout.write("".join(f"FAIL {problem}\n" for problem in problems) or ok)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
