"""The one place that loads Python rules and states the monorepo's conventions.

Load `py_*` rules only from here (a later switch to rules_python is then a
one-file change), and declare Python targets only through the macros:
`platform_library`, `platform_service` and `platform_binary` (an entry point of gated
code); `tools/python/gated_check.py` proves it, with the deliberate exceptions listed in
`tools/python/ungated.txt`. `platform_library` and `platform_service` turn one declaration
into the targets every lib and service must have:

  <name>            py_library
  <name>_test       pytest, 100% statement and branch coverage of `srcs`; each lib
                    package in `srcs` declares its public API (`__all__`)
  <name>_typecheck  mypy strict (tools/python/mypy.ini) over `srcs` and `tests`
  <name>_lint       ruff (tools/python/ruff.toml) + suppression/ownership/adapter guard

`platform_service` adds one `py_binary` per entry point, tagged "service", and,
given `image`, the service's OCI image `:image` with its checks (tools/image/defs.bzl);
given `dev_prepare`, the `:dev_prepare` binary `tools/dev up` runs first (tagged "dev_prepare").
"""

load("@pypi//:requirements.bzl", "requirement")
load("//tools/image:defs.bzl", "service_image")

py_library = native.py_library
py_binary = native.py_binary
py_test = native.py_test

_RUNNERS = "//tools/python"

# The root package collects test suites (//:gates).
_TEST_VISIBILITY = ["//:__pkg__"]

def _uniq(labels):
    return {label: None for label in labels}.keys()

def _paths(files):
    pkg = native.package_name()
    return [(pkg + "/" + f) if pkg else f for f in files]

def _gates(name, srcs, tests, test_deps, test_data, test_size, test_tags, test_env, adapter, typecheck_size = "medium"):
    lib = ":" + name
    test_support = [
        requirement("pytest"),
        requirement("pytest_asyncio"),
        requirement("pytest_cov"),
        requirement("coverage"),
    ]
    py_test(
        name = name + "_test",
        srcs = [_RUNNERS + ":pytest_runner.py", _RUNNERS + ":public_api.py"] + tests,
        main = _RUNNERS + ":pytest_runner.py",
        args = ["--src=" + p for p in _paths(srcs)] + ["--test=" + p for p in _paths(tests)],
        deps = [lib] + test_deps + test_support,
        data = srcs + test_data,
        size = test_size,
        tags = test_tags,
        env = test_env,
        visibility = _TEST_VISIBILITY,
    )
    py_test(
        name = name + "_typecheck",
        srcs = [_RUNNERS + ":mypy_runner.py"],
        main = _RUNNERS + ":mypy_runner.py",
        args = ["--file=" + p for p in _paths(srcs + tests)],
        deps = _uniq([lib] + test_deps + test_support + [requirement("mypy"), requirement("pydantic")]),
        data = srcs + tests + [_RUNNERS + ":mypy.ini"],
        size = typecheck_size,
        visibility = _TEST_VISIBILITY,
    )
    py_test(
        name = name + "_lint",
        srcs = [_RUNNERS + ":lint_runner.py"],
        main = _RUNNERS + ":lint_runner.py",
        args = ["--file=" + p for p in _paths(srcs + tests)] +
               ["--adapter=" + p for p in _paths([adapter] if adapter else [])],
        # Dependencies are in the runfiles so that isort knows them as first-party.
        deps = [lib] + test_deps,
        data = srcs + tests + [_RUNNERS + ":ruff.toml", "@pypi//ruff:bin"],
        size = "small",
        visibility = _TEST_VISIBILITY,
    )

def platform_binary(name, main, deps, srcs = None, **kwargs):
    """A py_binary entry point of gated code: `main` must be in the srcs of a gated lib.

    No gates of its own: `//tools/python:gated_check` (run by `tools/dev test`) proves that
    every Python file of a `py_*` target is checked by some target's gates.

    Args:
      name: the binary's name.
      main: its main file (a file of a `platform_library`/`platform_service` in `deps`).
      deps: the gated libraries it runs.
      srcs: default `[main]`.
      **kwargs: the rest of py_binary's attributes (args, data, testonly, visibility, ...).
    """
    py_binary(
        name = name,
        srcs = srcs if srcs != None else [main],
        main = main,
        deps = deps,
        python_version = "PY3",
        **kwargs
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
        adapter = None,
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
      adapter: the one file of `srcs` where values of unknown type may enter
        (`json.loads`, `getattr`, `importlib.import_module`, ...), assigned to `object`
        and checked there (docs/bazel.md, "Adapters"); None: nowhere.
      visibility: who may depend on the library.
    """
    if adapter != None and adapter not in srcs:
        fail("adapter = %r must be one of srcs" % adapter)
    py_library(
        name = name,
        srcs = srcs,
        deps = deps,
        data = data,
        imports = imports,
        testonly = testonly,
        visibility = visibility,
    )
    _gates(name, srcs, tests, test_deps, test_data, test_size, test_tags, test_env, adapter, typecheck_size)

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
        dev_prepare = None,
        adapter = None,
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
      dev_prepare: a main file (one of `srcs`) that `tools/dev up` runs once, with the
        service's dev.env, after Redis is up and before the service starts (demo data);
        declares `:dev_prepare`, tagged "dev_prepare" (not in the image).
      adapter: as for `platform_library`.
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
        adapter = adapter,
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
    if dev_prepare != None:
        if dev_prepare not in srcs:
            fail("dev_prepare = %r must be one of srcs (so that the gates cover it)" % dev_prepare)
        py_binary(
            name = "dev_prepare",
            srcs = [dev_prepare],
            main = dev_prepare,
            deps = [":" + name],
            python_version = "PY3",
            tags = ["dev_prepare"],
            visibility = visibility,
        )
    if image != None:
        service_image(name = "image", binaries = [":" + b for b in entry_points], **image)
