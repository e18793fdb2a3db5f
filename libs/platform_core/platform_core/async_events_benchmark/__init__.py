"""The events benchmark: `bazel run //libs/platform_core:events_benchmark`."""

__all__: list[str] = []  # run as a program (`bazel run`); nothing to import
