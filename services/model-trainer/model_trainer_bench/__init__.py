"""The model-trainer benchmark (`bazel run //services/model-trainer:benchmark`)."""
