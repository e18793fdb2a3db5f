"""A pip repository rule that works with Bazel 4.2.3 offline (no rules_python).

It does what rules_python's `pip_parse` does for this monorepo: install a hashed
lock file with the one interpreter the build uses, then generate one `py_library`
per distribution (label `@<name>//<normalized-name>`) with its dependencies, and a
`requirements.bzl` with `requirement()` and `all_requirements`. Names follow
rules_python so that switching to it later is a one-file change.
"""

def _pypi_repository_impl(rctx):
    python = rctx.attr.python_interpreter
    lock = rctx.path(rctx.attr.requirements_lock)
    generator = rctx.path(rctx.attr._generator)

    # Wheels that lie on the machine's disk rather than on the index (the CPU build of
    # torch: PyPI's torch is the CUDA build). `--isolated` ignores pip's environment, so
    # the machine's PIP_FIND_LINKS and `find_links` are passed explicitly; a location that
    # does not exist is left out, and a locked wheel found nowhere fails the install.
    links = [d for d in rctx.attr.find_links + rctx.os.environ.get("PIP_FIND_LINKS", "").split(" ") if d]
    find_links = []
    for d in links:
        if rctx.path(d).exists and d not in find_links:
            find_links.append(d)

    install = rctx.execute(
        [
            python,
            "-m",
            "pip",
            "install",
            "--isolated",
            "--no-deps",
            "--require-hashes",
            "--only-binary=:all:",
            "--no-compile",
            "--disable-pip-version-check",
            "--no-warn-script-location",
            "--cert",
            "/etc/ssl/certs/ca-certificates.crt",
            "--index-url",
            rctx.attr.index_url,
        ] + ["--find-links=" + d for d in find_links] + [
            "--target",
            "_staging",
            "-r",
            str(lock),
        ],
        timeout = rctx.attr.timeout,
        quiet = True,
        environment = {"PYTHONNOUSERSITE": "1", "SOURCE_DATE_EPOCH": "315532800"},
    )
    if install.return_code != 0:
        fail("pip install of {} failed:\n{}\n{}".format(lock, install.stdout, install.stderr))

    args = [python, str(generator), "--staging", "_staging", "--repo", rctx.attr.name]
    for dist, group in rctx.attr.restricted.items():
        args.extend(["--restricted", "{}={}".format(dist, group)])
    generate = rctx.execute(args, quiet = True, environment = {"PYTHONNOUSERSITE": "1"})
    if generate.return_code != 0:
        fail("generating @{} failed:\n{}\n{}".format(rctx.attr.name, generate.stdout, generate.stderr))
    rctx.delete("_staging")

pypi_repository = repository_rule(
    implementation = _pypi_repository_impl,
    environ = ["PIP_FIND_LINKS"],
    doc = "Installs a hashed lock file and exposes one py_library per distribution.",
    attrs = {
        "requirements_lock": attr.label(mandatory = True, allow_single_file = True),
        "python_interpreter": attr.string(default = "/usr/bin/python3"),
        "index_url": attr.string(default = "https://pypi.org/simple"),
        "restricted": attr.string_dict(
            doc = "distribution name -> package_group label that may depend on it (others are public)",
        ),
        "find_links": attr.string_list(
            doc = "local wheel directories pip also searches (beside the machine's PIP_FIND_LINKS)",
        ),
        "timeout": attr.int(default = 1800),
        "_generator": attr.label(default = "//tools/python:pypi_generate.py", allow_single_file = True),
    },
)
