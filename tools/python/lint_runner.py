"""The lint gate: ruff (check and format) plus the rules ruff cannot express.

Beyond ruff's rule set (ruff.toml), every file is scanned for:
- suppression markers in comments (`noqa`, `type: ignore`, `pragma`) and inline mypy
  configuration (a line `# mypy: ...`): none anywhere;
- imports of an owned module outside the lib that owns it, by path prefix from the
  repository root (`redis`: `platform_workers.async_redis`; `httpx`: the HTTP client,
  the data-bank client, the fetcher and the kit's test helpers); plain imports,
  `importlib.import_module` and `__import__` with a literal name all count;
- values of unknown type (`json.loads`, `getattr`, `importlib.import_module`, ...) outside
  the target's declared adapter (`--adapter`, the macros' `adapter` attribute), and,
  inside it, annotated with anything but `object` (an annotation is not a check: narrow
  with `isinstance` or parse with pydantic).
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
from collections.abc import Iterator, Sequence

HERE = pathlib.Path(__file__).resolve().parent
MARKERS = re.compile(r"\b(noqa|type:\s*ignore|pragma)\b", re.IGNORECASE)
# mypy reads `# mypy: <flags>` at the start of any line (even inside a string).
MYPY_INLINE = re.compile(r"^\s*#\s*mypy\s*:", re.IGNORECASE)
OWNED_IMPORTS = {
    "redis": ("libs/platform_workers/platform_workers/async_redis/",),
    "httpx": (
        "libs/platform_core/platform_core/data_bank_client/",
        "libs/platform_core/platform_core/http_client/",
        "libs/platform_core/platform_core/http_fetch/",
        "libs/platform_core/platform_core/http_testing/",
        "libs/platform_core/tests/",
    ),
}
OWNER_HINT = {
    "redis": "platform_workers.async_redis",
    "httpx": "platform_core.http_testing (tests), .http_client, .data_bank_client or .http_fetch",
}
# Calls whose result has no static type (Any, or a module that has every attribute).
UNKNOWN_SOURCES = frozenset(
    {
        "json.load",
        "json.loads",
        "getattr",
        "importlib.import_module",
        "__import__",
        "pickle.load",
        "pickle.loads",
        "marshal.loads",
        "yaml.load",
        "yaml.safe_load",
    }
)


def comment_violations(path: str, source: str) -> Iterator[str]:
    """Suppression markers in comments, and inline mypy configuration."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for token in tokens:
        if token.type == tokenize.COMMENT:
            match = MARKERS.search(token.string)
            if match:
                yield (
                    f"{path}:{token.start[0]}: forbidden marker '{match.group(1)}': "
                    "fix the code instead of silencing the gate"
                )
    for lineno, line in enumerate(source.splitlines(), start=1):
        if MYPY_INLINE.match(line):
            yield (
                f"{path}:{lineno}: inline mypy configuration: the settings are "
                "tools/python/mypy.ini, the same for every target"
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
            and _called_name(node) in {"__import__", "importlib.import_module", "import_module"}
        ):
            yield node.lineno, node.args[0].value


def repo_path(path: str) -> str:
    """`path` relative to the repository root (the gate's working directory)."""
    return pathlib.Path(os.path.relpath(pathlib.Path(path).absolute())).as_posix()


def import_violations(path: str, source: str) -> Iterator[str]:
    """Imports of a module that only its owning lib may import (owners by path prefix)."""
    tree = ast.parse(source, filename=path)
    relative = repo_path(path)
    for lineno, name in _imported_names(tree):
        top = name.split(".")[0]
        owners = OWNED_IMPORTS.get(top)
        if owners is not None and not relative.startswith(owners):
            yield (
                f"{path}:{lineno}: import of '{name}' outside {', '.join(owners)}: "
                f"use the lib that owns {top} ({OWNER_HINT[top]})"
            )


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _called_name(node: ast.Call) -> str | None:
    return _dotted(node.func)


def _unknown_calls(node: ast.AST) -> Iterator[tuple[int, str]]:
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            name = _called_name(child)
            if name in UNKNOWN_SOURCES or (name and name.endswith(".import_module")):
                yield child.lineno, name


def _tainted_names(tree: ast.AST) -> set[str]:
    """Names bound (without a check) to a value of unknown type, e.g. a dynamic module."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(True for _ in _unknown_calls(node.value)):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def unknown_value_violations(path: str, source: str, *, adapter: bool) -> Iterator[str]:
    """Values of unknown type outside the adapter, or annotated (not checked) inside it."""
    tree = ast.parse(source, filename=path)
    if not adapter:
        for lineno, name in _unknown_calls(tree):
            yield (
                f"{path}:{lineno}: '{name}(...)' has no static type: call it only in the "
                "target's adapter module (docs/bazel.md: adapters), which checks the value"
            )
        return
    tainted = _tainted_names(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.AnnAssign)
            and node.value is not None
            and not (isinstance(node.annotation, ast.Name) and node.annotation.id == "object")
        ):
            sources = [name for _, name in _unknown_calls(node.value)]
            sources += [
                n.id for n in ast.walk(node.value) if isinstance(n, ast.Name) and n.id in tainted
            ]
            for name in sources:
                yield (
                    f"{path}:{node.lineno}: a value of unknown type ('{name}') assigned to an "
                    "annotated name: annotate it `object`, then narrow it with isinstance or "
                    "parse it with pydantic"
                )


def guard(files: list[str], adapters: Sequence[str] = ()) -> list[str]:
    """Every violation of the project rules that ruff cannot express."""
    adapter_paths = {repo_path(a) for a in adapters}
    problems: list[str] = []
    for path in files:
        source = pathlib.Path(path).read_text(encoding="utf-8")
        problems.extend(comment_violations(path, source))
        problems.extend(import_violations(path, source))
        problems.extend(
            unknown_value_violations(path, source, adapter=repo_path(path) in adapter_paths)
        )
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
    adapter: list[str]
    config: str


def main(argv: list[str]) -> int:
    """Lint the given files; non-zero if ruff or the guard finds anything."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", action="append", default=list[str](), help="a file to lint")
    parser.add_argument(
        "--adapter",
        action="append",
        default=list[str](),
        help="the target's adapter: the one file that may take in values of unknown type",
    )
    parser.add_argument("--config", default=str(HERE / "ruff.toml"))
    ns = parser.parse_args(argv, namespace=Args())
    files = ns.file
    if not files:
        sys.stderr.write("lint_runner: nothing to lint\n")
        return 2
    problems = guard(files, ns.adapter)
    for problem in problems:
        sys.stdout.write(problem + "\n")
    status = run_ruff(files, ns.config)
    return 1 if problems else status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
