"""Turns mmdebstrap's root filesystem tarballs into the Debian layers images share.

The build action behind `debian_layer` (tools/image/image.bzl); the tarballs come from
the `debian_rootfs` repository rule (tools/image/debian.bzl):

    debian_rootfs --rootfs base.tar --out base.tar.gz --descriptor base.json --packages P
    debian_rootfs --rootfs ffmpeg.rootfs.tar --base base.tar --out ...   (an extra layer)

Without `--base`, the whole root filesystem becomes the layer. With `--base`, the root
filesystem was built like the base plus more packages, and only what differs from the
base is kept (new and changed entries, their parent directories, and the targets of
hard links among them), so that the layer stacks on the base layer. Device nodes and
everything else under /dev are left out: container runtimes mount their own /dev.
`--packages` receives `name version` lines: every package of the base, or the
packages the extra layer adds.
"""

import argparse
import dataclasses
import hashlib
import io
import pathlib
import sys
import tarfile
from collections.abc import Iterator

from platform_image.tarball import LayerDigest, LayerWriter

DPKG_STATUS = "var/lib/dpkg/status"

Signature = tuple[bytes, int, int, int, str, int, str, int, int, int]


class RootfsError(RuntimeError):
    """A root filesystem tarball that cannot become a layer."""


def entry_name(member: tarfile.TarInfo) -> str:
    """The entry's path without `./` and trailing `/`."""
    return member.name.removeprefix("./").rstrip("/")


def members(rootfs: pathlib.Path) -> Iterator[tuple[tarfile.TarInfo, bytes | None]]:
    """The entries that go into layers, in the tarball's order, with file contents."""
    with tarfile.open(rootfs, mode="r|") as tar:
        for member in tar:
            name = entry_name(member)
            if name in {"", "."} or name.startswith("dev/"):
                continue
            content = None
            if member.isreg():
                # A regular member always has a reader (extractfile's None is for others).
                content = (tar.extractfile(member) or io.BytesIO()).read()
            yield member, content


def signature(member: tarfile.TarInfo, content: bytes | None) -> Signature:
    """Everything about an entry that a layer carries."""
    digest = hashlib.sha256(content).hexdigest() if content is not None else ""
    return (
        member.type,
        member.mode,
        member.uid,
        member.gid,
        member.linkname.removeprefix("./"),
        int(member.mtime),
        digest,
        member.devmajor,
        member.devminor,
        member.size,
    )


def installed_packages(status: str) -> list[str]:
    """`name version` of every installed package in a dpkg status file, sorted."""
    found: list[str] = []
    for paragraph in status.split("\n\n"):
        fields: dict[str, str] = {}
        for line in paragraph.splitlines():
            key, sep, value = line.partition(":")
            if sep and not line.startswith((" ", "\t")):
                fields[key] = value.strip()
        if fields.get("Status") == "install ok installed":
            found.append(f"{fields['Package']} {fields['Version']}")
    return sorted(found)


@dataclasses.dataclass
class Scan:
    """One pass over a root filesystem: each entry's signature, hard links, dpkg status."""

    signatures: dict[str, Signature] = dataclasses.field(default_factory=dict)
    links: dict[str, str] = dataclasses.field(default_factory=dict)
    status: str | None = None

    def add(self, member: tarfile.TarInfo, content: bytes | None) -> None:
        """Record one entry."""
        name = entry_name(member)
        self.signatures[name] = signature(member, content)
        if member.islnk():
            self.links[name] = member.linkname.removeprefix("./").rstrip("/")
        if name == DPKG_STATUS and content is not None:
            self.status = content.decode("utf-8")

    def packages(self, rootfs: pathlib.Path) -> list[str]:
        """The installed packages (RootfsError without a dpkg status)."""
        if self.status is None:
            raise RootfsError(f"{rootfs} has no {DPKG_STATUS}")
        return installed_packages(self.status)


def scan(rootfs: pathlib.Path) -> Scan:
    """Read a root filesystem once."""
    result = Scan()
    for member, content in members(rootfs):
        result.add(member, content)
    return result


def kept_entries(base: Scan, rootfs: Scan, name: pathlib.Path) -> set[str]:
    """Names of the entries of `rootfs` that a layer on top of `base` must hold.

    Raises when `rootfs` lacks an entry of `base`: installing packages never removes
    files, so that is a mistake in how the two were built.
    """
    missing = sorted(set(base.signatures) - set(rootfs.signatures))
    if missing:
        raise RootfsError(f"{name} lacks {len(missing)} entries of the base: {missing[:5]}")
    keep = {n for n, sig in rootfs.signatures.items() if base.signatures.get(n) != sig}
    keep |= {rootfs.links[n] for n in keep if n in rootfs.links}
    for entry in list(keep):
        parent = entry.rpartition("/")[0]
        while parent:
            keep.add(parent)
            parent = parent.rpartition("/")[0]
    return keep


def write_layer(
    rootfs: pathlib.Path, keep: set[str] | None, out: pathlib.Path
) -> tuple[LayerDigest, Scan]:
    """The entries of `rootfs` (all, or those in `keep`) as a layer blob; what was read."""
    seen = Scan()
    with out.open("wb") as blob, LayerWriter(blob) as writer:
        for member, content in members(rootfs):
            seen.add(member, content)
            if keep is None or entry_name(member) in keep:
                writer.add(member, None if content is None else io.BytesIO(content))
        return writer.finish(), seen


class Args(argparse.Namespace):
    """The command line, typed."""

    rootfs: pathlib.Path
    base: pathlib.Path | None
    out: pathlib.Path
    descriptor: pathlib.Path
    packages: pathlib.Path


def run(ns: Args) -> None:
    """Write the layer, its descriptor and its package list."""
    if ns.base is None:
        digest, seen = write_layer(ns.rootfs, None, ns.out)
        packages = seen.packages(ns.rootfs)
    else:
        base = scan(ns.base)
        full = scan(ns.rootfs)
        digest, _ = write_layer(ns.rootfs, kept_entries(base, full, ns.rootfs), ns.out)
        already = set(base.packages(ns.base))
        packages = [p for p in full.packages(ns.rootfs) if p not in already]
    ns.descriptor.write_text(digest.to_json(), encoding="utf-8")
    ns.packages.write_text("".join(p + "\n" for p in packages), encoding="utf-8")


def main(argv: list[str]) -> int:
    """Write one Debian layer; 1 with a message if the tarballs cannot make one."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rootfs", type=pathlib.Path, required=True)
    parser.add_argument("--base", type=pathlib.Path, help="the base it stacks on (extra layers)")
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--descriptor", type=pathlib.Path, required=True)
    parser.add_argument("--packages", type=pathlib.Path, required=True)
    ns = parser.parse_args(argv, namespace=Args())
    try:
        run(ns)
    except (RootfsError, OSError, tarfile.TarError) as exc:
        sys.stderr.write(f"debian_rootfs: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
