"""The data-bank-api benchmark (`bazel run //services/data-bank-api:benchmark`)."""
