"""`python -m platform_core.async_events_benchmark [options]` (the Bazel binary's main)."""

import sys

from platform_core.async_events_benchmark.main import main

sys.exit(main(sys.argv[1:]))
