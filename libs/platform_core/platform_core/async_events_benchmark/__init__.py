"""The events benchmark: `bazel run //libs/platform_core:events_benchmark`."""
