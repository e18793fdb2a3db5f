"""Every Python target in the repository is declared through the gated macros.

Two Bazel queries over `//...`:
- every `py_library`/`py_binary`/`py_test` rule comes from `platform_library`,
  `platform_service`, `platform_binary` or `platform_image` (tools/python/defs.bzl,
  tools/image/defs.bzl);
- every source file of those rules is checked by some target's gates (it is among the
  files of a `<name>_typecheck` target, which are that target's srcs and tests).
The deliberate exceptions, each with its reason, are listed in tools/python/ungated.txt;
a listed target that is gated (or gone) is an error too, so the list stays true.

    tools/dev test          # runs this first
    python3 tools/python/gated_check.py --workspace . [--bazel bazel]
"""

import argparse
import pathlib
import subprocess
import sys
from collections.abc import Sequence

MACROS = "^(platform_library|platform_service|platform_binary|platform_image)$"
PY_RULES = 'kind("py_(library|binary|test) rule", //...)'
GATED_FILES = (
    'kind("source file", labels(data, attr(name, "_typecheck$", kind("py_test rule", //...))))'
)


def read_allowlist(path: pathlib.Path) -> dict[str, str]:
    """`label -> reason` from the allowlist (comments and blank lines skipped)."""
    allowed: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text and not text.startswith("#"):
            label, _, reason = text.partition(" ")
            allowed[label] = reason.strip()
    return allowed


def query(bazel: Sequence[str], workspace: pathlib.Path, expression: str) -> set[str]:
    """The labels `bazel query` answers for `expression` in `workspace`."""
    result = subprocess.run(
        [*bazel, "query", "--noshow_progress", expression],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bazel query {expression!r} failed:\n{result.stderr}")
    return {line for line in result.stdout.splitlines() if line.startswith("//")}


def problems(bazel: Sequence[str], workspace: pathlib.Path, allowed: dict[str, str]) -> list[str]:
    """What breaks the rule, one line each (empty: every Python target is gated)."""
    rules = query(bazel, workspace, PY_RULES)
    from_macros = query(bazel, workspace, f'attr(generator_function, "{MACROS}", {PY_RULES})')
    exempt = " + ".join(sorted(allowed)) if allowed else None
    checked = f"{PY_RULES} except ({exempt})" if exempt else PY_RULES
    ungated_files = query(
        bazel, workspace, f'kind("source file", labels(srcs, {checked})) except {GATED_FILES}'
    )
    found = [
        f"{label}: a Python target outside the gated macros (tools/python/defs.bzl)"
        for label in sorted(rules - from_macros - allowed.keys())
    ]
    found += [
        f"{label}: a Python file no target's gates check (put it in a platform_library)"
        for label in sorted(ungated_files)
    ]
    found += [
        f"{label}: listed in tools/python/ungated.txt but not an ungated target"
        for label in sorted(allowed.keys() - (rules - from_macros))
    ]
    return found


class Args(argparse.Namespace):
    """The command line, typed."""

    bazel: list[str]
    workspace: str
    allowlist: str


def main(argv: list[str]) -> int:
    """Print every ungated Python target or file; non-zero when there is one."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--bazel", action="append", help="the bazel command, one word per flag (default: bazel)"
    )
    parser.add_argument("--workspace", required=True, help="the repository root")
    parser.add_argument("--allowlist", default="tools/python/ungated.txt")
    ns = parser.parse_args(argv, namespace=Args())
    workspace = pathlib.Path(ns.workspace)
    allowed = read_allowlist(workspace / ns.allowlist)
    found = problems(ns.bazel or ["bazel"], workspace, allowed)
    for line in found:
        sys.stdout.write(line + "\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
