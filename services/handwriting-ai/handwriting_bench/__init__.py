"""The handwriting-ai benchmark (`bazel run //services/handwriting-ai:benchmark`)."""
