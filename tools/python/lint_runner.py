"""The lint gate: ruff (check and format) plus the rules ruff cannot express.

Beyond ruff's rule set (ruff.toml), every file is scanned for:
- suppression markers in comments (`noqa`, `type: ignore`, `pragma`): none anywhere;
- imports of the raw Redis client outside `platform_workers.async_redis`, the one
  module that owns the concern (plain imports, `importlib.import_module` and
  `__import__` with a literal name all count).
"""

import argparse
import ast
import io
import os
import pathlib
import re
import subprocess
import sys
import tokenize
from collections.abc import Iterator

HERE = pathlib.Path(__file__).resolve().parent
MARKERS = re.compile(r"\b(noqa|type:\s*ignore|pragma)\b", re.IGNORECASE)
OWNED_IMPORTS = {
    "redis": ("libs/platform_workers/platform_workers/async_redis/",),
}


def comment_violations(path: str, source: str) -> Iterator[str]:
    """Suppression markers in comments."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for token in tokens:
        if token.type == tokenize.COMMENT:
            match = MARKERS.search(token.string)
            if match:
                yield (
                    f"{path}:{token.start[0]}: forbidden marker '{match.group(1)}': "
                    "fix the code instead of silencing the gate"
                )


def _imported_names(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
        ):
            yield node.lineno, node.args[0].value


def import_violations(path: str, source: str) -> Iterator[str]:
    """Imports of a module that only its owning lib may import."""
    tree = ast.parse(source, filename=path)
    normalized = pathlib.PurePosixPath(path).as_posix()
    for lineno, name in _imported_names(tree):
        top = name.split(".")[0]
        owners = OWNED_IMPORTS.get(top)
        if owners is not None and not any(owner in normalized for owner in owners):
            yield (
                f"{path}:{lineno}: import of '{name}' outside {', '.join(owners)}: "
                f"use the lib that owns {top} (platform_workers.async_redis)"
            )


def guard(files: list[str]) -> list[str]:
    """Every violation of the project rules that ruff cannot express."""
    problems: list[str] = []
    for path in files:
        source = pathlib.Path(path).read_text(encoding="utf-8")
        problems.extend(comment_violations(path, source))
        problems.extend(import_violations(path, source))
    return problems


def ruff_binary() -> pathlib.Path:
    """The ruff executable shipped in the ruff wheel, from the runfiles."""
    runfiles = pathlib.Path(os.environ.get("TEST_SRCDIR", pathlib.Path.cwd().parent))
    return runfiles / "pypi" / "ruff" / "bin" / "ruff"


def run_ruff(files: list[str], config: str) -> int:
    """`ruff check` and `ruff format --check`; both must pass."""
    ruff = str(ruff_binary())
    common = ["--config", config]
    check = subprocess.run([ruff, "check", "--no-cache", *common, *files], check=False)
    fmt = subprocess.run([ruff, "format", "--check", "--diff", *common, *files], check=False)
    return check.returncode or fmt.returncode


class Args(argparse.Namespace):
    """The command line, typed."""

    file: list[str]
    config: str


def main(argv: list[str]) -> int:
    """Lint the given files; non-zero if ruff or the guard finds anything."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", action="append", default=list[str](), help="a file to lint")
    parser.add_argument("--config", default=str(HERE / "ruff.toml"))
    ns = parser.parse_args(argv, namespace=Args())
    files = ns.file
    if not files:
        sys.stderr.write("lint_runner: nothing to lint\n")
        return 2
    problems = guard(files)
    for problem in problems:
        sys.stdout.write(problem + "\n")
    status = run_ruff(files, ns.config)
    return 1 if problems else status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
