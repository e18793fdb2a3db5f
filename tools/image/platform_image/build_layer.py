"""Writes one image layer: the build action behind oci_image, pypi_layer and files_layer.

Entries come from the command line (through Bazel's params file, one argument a line):

    --runfile SHORT_PATH<TAB>PATH   a runfiles file; lands at
                                    <runfiles-root>/<workspace>/SHORT_PATH, or at
                                    <runfiles-root>/REPO/... for SHORT_PATH ../REPO/...
    --file DEST<TAB>PATH            a file at DEST
    --symlink DEST<TAB>TARGET       a symbolic link
    --dir DEST<TAB>MODE<TAB>UID<TAB>GID   a directory with its owner (a volume)
    --exclude-listing FILE          leave out the paths another layer's listing names

Files are read through symbolic links (runfiles are links) and owned by root, mode
0755 when the source is executable and 0644 otherwise; missing parent directories
are added (0755, root); entries are written sorted by path, so the blob depends on
the set of entries only (`--shuffle` feeds them in reverse to prove it). With
`--pyc` every `.py` file gets a checked-hash `__pycache__/<name>.cpython-311.pyc`
(Python validates it against the source's hash, never an mtime). Outputs: the blob,
its digests (JSON) and the listing of its files and links (for --exclude-listing).
"""

import argparse
import dataclasses
import importlib.util
import io
import marshal
import pathlib
import sys
import tarfile

from platform_image.tarball import LayerWriter, directory, regular, symlink

PYC_TAG = sys.implementation.cache_tag
CHECKED_HASH_FLAGS = 0b11


class LayerError(RuntimeError):
    """Entries that do not make one consistent layer."""


@dataclasses.dataclass(frozen=True)
class Entry:
    """One path in the layer: a file (from `source` or `data`), a link or a directory."""

    kind: str
    source: pathlib.Path | None = None
    data: bytes | None = None
    target: str = ""
    mode: int = 0o755
    uid: int = 0
    gid: int = 0


def runfile_dest(short_path: str, root: str, workspace: str) -> str:
    """Where a runfile lies in the image (without the leading `/`)."""
    if short_path.startswith("../"):
        return f"{root}/{short_path.removeprefix('../')}"
    return f"{root}/{workspace}/{short_path}"


def pyc_path(dest: str) -> str:
    """The `__pycache__` path of a source file."""
    parent, _, name = dest.rpartition("/")
    pyc = f"__pycache__/{name.removesuffix('.py')}.{PYC_TAG}.pyc"
    return f"{parent}/{pyc}" if parent else pyc


def compile_pyc(source: bytes, dest: str) -> bytes:
    """A checked-hash pyc of `source`, naming `/dest` in tracebacks (SyntaxError if invalid)."""
    code = compile(source, "/" + dest, "exec", dont_inherit=True)
    header = importlib.util.MAGIC_NUMBER + CHECKED_HASH_FLAGS.to_bytes(4, "little")
    return header + importlib.util.source_hash(source) + marshal.dumps(code)


def _split(value: str, parts: int, flag: str) -> list[str]:
    fields = value.split("\t")
    if len(fields) != parts:
        raise LayerError(f"{flag} {value!r}: expected {parts} tab-separated fields")
    return fields


class Layer:
    """The planned entries of one layer, keyed by path."""

    def __init__(self, excluded: frozenset[str] = frozenset()) -> None:
        self.entries: dict[str, Entry] = {}
        self._excluded = excluded

    def put(self, dest: str, entry: Entry) -> None:
        """Add an entry; the same path twice must be the same entry."""
        dest = dest.strip("/")
        if dest in self._excluded:
            return
        known = self.entries.get(dest)
        if known is not None and known != entry:
            raise LayerError(f"{dest}: two different entries ({known} and {entry})")
        self.entries[dest] = entry

    def put_file(self, dest: str, source: pathlib.Path) -> None:
        """A file read from `source`, executable if the source is."""
        executable = source.stat().st_mode & 0o111
        self.put(dest, Entry("file", source=source, mode=0o755 if executable else 0o644))

    def add_pycs(self) -> list[str]:
        """A pyc beside every `.py` file; the messages of sources that do not compile."""
        problems: list[str] = []
        for dest, entry in list(self.entries.items()):
            if entry.kind != "file" or entry.source is None or not dest.endswith(".py"):
                continue
            try:
                data = compile_pyc(entry.source.read_bytes(), dest)
            except (SyntaxError, ValueError) as exc:
                # Python raises the same error when it imports the file; no pyc changes that.
                problems.append(f"{dest}: not compiled ({exc})")
                continue
            self.put(pyc_path(dest), Entry("file", data=data, mode=0o644))
        return problems

    def add_parents(self) -> None:
        """Root-owned 0755 directories for every missing parent."""
        for dest in list(self.entries):
            parent = dest.rpartition("/")[0]
            while parent and parent not in self.entries:
                self.entries[parent] = Entry("dir")
                parent = parent.rpartition("/")[0]

    def listing(self) -> str:
        """Every file and link, sorted, one a line."""
        return "".join(f"{d}\n" for d in sorted(self.entries) if self.entries[d].kind != "dir")

    def write(self, writer: LayerWriter) -> None:
        """All entries in path order."""
        for dest in sorted(self.entries):
            entry = self.entries[dest]
            if entry.kind == "dir":
                writer.add(directory(dest, mode=entry.mode, uid=entry.uid, gid=entry.gid))
            elif entry.kind == "symlink":
                writer.add(symlink(dest, entry.target))
            elif entry.source is not None:
                with entry.source.open("rb") as handle:
                    size = entry.source.stat().st_size
                    writer.add(regular(dest, size, mode=entry.mode), handle)
            else:
                data = entry.data or b""
                writer.add(regular(dest, len(data), mode=entry.mode), io.BytesIO(data))


class Args(argparse.Namespace):
    """The command line, typed."""

    out: pathlib.Path
    descriptor: pathlib.Path
    listing: pathlib.Path
    runfiles_root: str
    workspace: str
    runfile: list[str]
    file: list[str]
    symlink: list[str]
    dir: list[str]
    exclude_listing: list[pathlib.Path]
    pyc: bool
    shuffle: bool


def plan(ns: Args) -> Layer:
    """The layer the command line describes."""
    excluded: set[str] = set()
    for listing in ns.exclude_listing:
        excluded.update(listing.read_text(encoding="utf-8").split())
    layer = Layer(frozenset(excluded))
    order = reversed if ns.shuffle else list
    for value in order(ns.runfile):
        short_path, path = _split(value, 2, "--runfile")
        layer.put_file(runfile_dest(short_path, ns.runfiles_root, ns.workspace), pathlib.Path(path))
    for value in order(ns.file):
        dest, path = _split(value, 2, "--file")
        layer.put_file(dest, pathlib.Path(path))
    for value in order(ns.symlink):
        dest, target = _split(value, 2, "--symlink")
        layer.put(dest, Entry("symlink", target=target))
    for value in order(ns.dir):
        dest, mode, uid, gid = _split(value, 4, "--dir")
        layer.put(dest, Entry("dir", mode=int(mode, 8), uid=int(uid), gid=int(gid)))
    return layer


def main(argv: list[str]) -> int:
    """Plan, then write the blob, its descriptor and its listing."""
    parser = argparse.ArgumentParser(description=__doc__, fromfile_prefix_chars="@")
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--descriptor", type=pathlib.Path, required=True)
    parser.add_argument("--listing", type=pathlib.Path, required=True)
    parser.add_argument("--runfiles-root", default="app/platform.runfiles")
    parser.add_argument("--workspace", default="platform")
    for flag in ("--runfile", "--file", "--symlink", "--dir"):
        parser.add_argument(flag, action="append", default=list[str]())
    parser.add_argument(
        "--exclude-listing", action="append", type=pathlib.Path, default=list[pathlib.Path]()
    )
    parser.add_argument("--pyc", action="store_true")
    parser.add_argument("--shuffle", action="store_true")
    ns = parser.parse_args(argv, namespace=Args())
    try:
        layer = plan(ns)
        for problem in layer.add_pycs() if ns.pyc else []:
            sys.stderr.write(f"build_layer: {problem}\n")
        layer.add_parents()
        with ns.out.open("wb") as blob, LayerWriter(blob) as writer:
            layer.write(writer)
            result = writer.finish()
    except (LayerError, OSError, ValueError, tarfile.TarError) as exc:
        sys.stderr.write(f"build_layer: {exc}\n")
        return 1
    ns.descriptor.write_text(result.to_json(), encoding="utf-8")
    ns.listing.write_text(layer.listing(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
