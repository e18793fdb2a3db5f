"""The one place that loads Python rules and states the monorepo's conventions.

Load `py_*` rules only from here (a later switch to rules_python is then a
one-file change). `platform_library` and `platform_service` turn one declaration
into the targets every lib and service must have:

  <name>            py_library
  <name>_test       pytest, 100% statement and branch coverage of `srcs`
  <name>_typecheck  mypy strict (tools/python/mypy.ini) over `srcs` and `tests`
  <name>_lint       ruff (tools/python/ruff.toml) + suppression/ownership guard

`platform_service` adds one `py_binary` per entry point, tagged "service", and,
given `image`, the service's OCI image `:image` with its checks (tools/image/defs.bzl).
"""

load("@pypi//:requirements.bzl", "requirement")
load("//tools/image:defs.bzl", "service_image")

py_library = native.py_library
py_binary = native.py_binary
py_test = native.py_test

_RUNNERS = "//tools/python"

def _paths(files):
    pkg = native.package_name()
    return [(pkg + "/" + f) if pkg else f for f in files]

def _gates(name, srcs, tests, test_deps, test_data, test_size, test_tags, test_env, typecheck_size = "medium"):
    lib = ":" + name
    test_support = [
        requirement("pytest"),
        requirement("pytest_asyncio"),
        requirement("pytest_cov"),
        requirement("coverage"),
    ]
    py_test(
        name = name + "_test",
        srcs = [_RUNNERS + ":pytest_runner.py"] + tests,
        main = _RUNNERS + ":pytest_runner.py",
        args = ["--src=" + p for p in _paths(srcs)] + ["--test=" + p for p in _paths(tests)],
        deps = [lib] + test_deps + test_support,
        data = srcs + test_data,
        size = test_size,
        tags = test_tags,
        env = test_env,
    )
    py_test(
        name = name + "_typecheck",
        srcs = [_RUNNERS + ":mypy_runner.py"],
        main = _RUNNERS + ":mypy_runner.py",
        args = ["--file=" + p for p in _paths(srcs + tests)],
        deps = [lib] + test_deps + test_support + [requirement("mypy"), requirement("pydantic")],
        data = srcs + tests + [_RUNNERS + ":mypy.ini"],
        size = typecheck_size,
    )
    py_test(
        name = name + "_lint",
        srcs = [_RUNNERS + ":lint_runner.py"],
        main = _RUNNERS + ":lint_runner.py",
        args = ["--file=" + p for p in _paths(srcs + tests)],
        # Dependencies are in the runfiles so that isort knows them as first-party.
        deps = [lib] + test_deps,
        data = srcs + tests + [_RUNNERS + ":ruff.toml", "@pypi//ruff:bin"],
        size = "small",
    )

def platform_library(
        name,
        srcs,
        tests,
        deps = [],
        data = [],
        imports = ["."],
        test_deps = [],
        test_data = [],
        test_size = "medium",
        test_tags = [],
        test_env = {},
        typecheck_size = "medium",
        testonly = False,
        visibility = None):
    """A lib target plus its test, typecheck and lint gates.

    Args:
      name: the py_library name.
      srcs: the library's sources; the test gate covers exactly these.
      tests: pytest files (and conftest.py) for the `_test` target.
      deps: what the library imports.
      data: runtime files of the library.
      imports: import roots relative to the package (default: the package dir).
      test_deps: what only the tests import.
      test_data: files the tests read.
      test_size: Bazel size of the `_test` target.
      test_tags: tags of the `_test` target.
      test_env: environment of the `_test` target.
      typecheck_size: Bazel size of the `_typecheck` target ("large" for targets whose
        imports take mypy minutes, e.g. torch on a loaded 2-core machine).
      testonly: mark the library test-only (test support code).
      visibility: who may depend on the library.
    """
    py_library(
        name = name,
        srcs = srcs,
        deps = deps,
        data = data,
        imports = imports,
        testonly = testonly,
        visibility = visibility,
    )
    _gates(name, srcs, tests, test_deps, test_data, test_size, test_tags, test_env, typecheck_size)

def platform_service(
        name,
        srcs,
        tests,
        entry_points,
        deps = [],
        data = [],
        imports = ["."],
        test_deps = [],
        test_data = [],
        test_size = "medium",
        test_tags = [],
        test_env = {},
        typecheck_size = "medium",
        image = None,
        visibility = None):
    """A service: its library, the gates, one py_binary per entry point, its image.

    Args:
      name: the py_library name (the service's import package).
      srcs: the service's sources.
      tests: pytest files for the `_test` target.
      entry_points: binary name -> main file (one of `srcs`), e.g.
        {"server": "qr_api/server.py"}.
      deps: what the service imports (async lib targets only; see tools/visibility).
      data: runtime files.
      imports: import roots relative to the package.
      test_deps: what only the tests import.
      test_data: files the tests read (e.g. the service's own binaries).
      test_size: Bazel size of the `_test` target.
      test_tags: tags of the `_test` target.
      test_env: environment of the `_test` target.
      typecheck_size: Bazel size of the `_typecheck` target.
      image: the service's container image, as the arguments of `service_image`
        (tools/image/defs.bzl) beside the entry points: {"port": 8002} at least, and
        debian_packages, volumes, env, test_env, layers; None: no image.
      visibility: who may depend on the library (default: the package only).
    """
    platform_library(
        name = name,
        srcs = srcs,
        tests = tests,
        deps = deps,
        data = data,
        imports = imports,
        test_deps = test_deps,
        test_data = test_data,
        test_size = test_size,
        test_tags = test_tags,
        test_env = test_env,
        typecheck_size = typecheck_size,
        visibility = visibility,
    )
    for binary, main in entry_points.items():
        py_binary(
            name = binary,
            srcs = [main],
            main = main,
            deps = [":" + name],
            python_version = "PY3",
            tags = ["service"],
            visibility = visibility,
        )
    if image != None:
        service_image(name = "image", binaries = [":" + b for b in entry_points], **image)
