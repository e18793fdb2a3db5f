"""The turkic-api benchmark (`bazel run //services/turkic-api:benchmark`)."""
