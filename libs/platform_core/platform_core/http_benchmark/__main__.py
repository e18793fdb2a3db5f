"""`bazel run //libs/platform_core:http_benchmark [-- --duration 5 --rounds 3]`."""

import sys

from platform_core.http_benchmark.main import main

sys.exit(main(sys.argv[1:]))
